import type { CookieOptions, Request } from 'express';
import type { ResolvedCookieOptions } from '../session/resolve-session-options.js';

/**
 * The Express cookie attributes of the session cookie for one request: `secure: 'auto'` becomes
 * `req.secure`, which is true over HTTPS or behind a proxy Express trusts (`trust proxy`).
 */
export function cookieAttributesFor(
  cookie: ResolvedCookieOptions,
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
