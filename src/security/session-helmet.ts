import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

type CspOptions = Exclude<HelmetOptions['contentSecurityPolicy'], boolean | undefined>;

/**
 * The helmet settings of {@link sessionHelmet}: helmet's defaults, tightened where a session
 * cookie is at stake. Scripts and forms stay on the app's own origin (an injected script or
 * form cannot ride the session), no framing (clickjacking of signed-in pages), no referrer to
 * other sites (URLs may carry state), HSTS for a year (the Secure cookie never meets plain HTTP).
 */
export const SESSION_HELMET_DEFAULTS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: true,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
    },
  },
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'same-origin' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
};

/**
 * helmet with defaults suited to a session app ({@link SESSION_HELMET_DEFAULTS}). `overrides`
 * replace helmet options by name; CSP directives are merged one by one, so adding a CDN to
 * `script-src` keeps the rest. `false` turns a header off, as in helmet.
 *
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.use(sessionHelmet({ contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } } }));
 */
export function sessionHelmet(overrides: HelmetOptions = {}): RequestHandler {
  const options = { ...SESSION_HELMET_DEFAULTS, ...overrides } as HelmetOptions;
  const base = SESSION_HELMET_DEFAULTS.contentSecurityPolicy as CspOptions;
  const csp = overrides.contentSecurityPolicy;
  if (typeof csp === 'object') {
    options.contentSecurityPolicy = {
      ...base,
      ...csp,
      directives: { ...base.directives, ...csp.directives },
    };
  }
  return helmet(options) as RequestHandler;
}
