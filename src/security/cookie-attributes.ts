/** The cookie settings the attributes come from (the session's resolved cookie options). */
export interface CookieSettings {
  readonly domain?: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly secure: boolean | 'auto';
}

/** Attributes of the session cookie, resolved for one request. */
export interface CookieAttributes {
  readonly domain?: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly secure: boolean;
}

/**
 * The attributes of the session cookie for one request: `secure: 'auto'` follows the request,
 * which is secure over HTTPS or behind a proxy the platform trusts (Express `trust proxy`,
 * Fastify `trustProxy`).
 */
export function cookieAttributesFor(
  cookie: CookieSettings,
  requestIsSecure: boolean,
): CookieAttributes {
  return {
    ...(cookie.domain !== undefined && { domain: cookie.domain }),
    path: cookie.path,
    httpOnly: cookie.httpOnly,
    sameSite: cookie.sameSite,
    secure: cookie.secure === 'auto' ? requestIsSecure : cookie.secure,
  };
}

/**
 * `maxAge` (ms) of a cookie that should live until `expiresAt`, rounded up to whole seconds:
 * `Max-Age` is written in whole seconds, rounded down, and a short deadline would otherwise
 * become `Max-Age=0`, which deletes the cookie at once. The server enforces the deadline itself.
 */
export function cookieMaxAgeMs(expiresAt: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000) * 1000);
}
