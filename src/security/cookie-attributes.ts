import type { CookieOptions, Request } from 'express';

/** The cookie settings the attributes come from (the session's resolved cookie options). */
export interface CookieSettings {
  readonly domain?: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly secure: boolean | 'auto';
}

/**
 * The Express cookie attributes of the session cookie for one request: `secure: 'auto'` becomes
 * `req.secure`, which is true over HTTPS or behind a proxy Express trusts (`trust proxy`).
 */
export function cookieAttributesFor(
  cookie: CookieSettings,
  request: Request | undefined,
): CookieOptions {
  return {
    domain: cookie.domain,
    path: cookie.path,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
    secure: cookie.secure === 'auto' ? request?.secure === true : cookie.secure,
  };
}

/**
 * `maxAge` (ms) of a cookie that should live until `expiresAt`, rounded up to whole seconds:
 * Express writes `Max-Age` in whole seconds, rounded down, and a short deadline would otherwise
 * become `Max-Age=0`, which deletes the cookie at once. The server enforces the deadline itself.
 */
export function cookieMaxAgeMs(expiresAt: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000) * 1000);
}
