import type { ResolvedCookieOptions } from './resolve-session-options.js';

/**
 * The session cookie as express-session shows it (`req.session.cookie`). Read-only: the server's
 * deadlines decide when a session ends, and the cookie's expiry follows them.
 */
export class SessionCookie {
  readonly path: string;
  readonly domain?: string;
  readonly httpOnly: boolean;
  /** `'auto'`: Secure when the request came over HTTPS. */
  readonly secure: boolean | 'auto';
  readonly sameSite: 'lax' | 'strict' | 'none';

  constructor(
    options: ResolvedCookieOptions,
    /** When the session ends if unused, or `undefined` for a session not yet saved. */
    readonly expires: Date | undefined,
  ) {
    this.path = options.path;
    this.domain = options.domain;
    this.httpOnly = options.httpOnly;
    this.secure = options.secure;
    this.sameSite = options.sameSite;
  }

  /** Milliseconds until the session ends if unused. */
  get maxAge(): number | undefined {
    return this.expires ? Math.max(0, this.expires.getTime() - Date.now()) : undefined;
  }

  /** Same as `maxAge`; kept for express-session compatibility. */
  get originalMaxAge(): number | undefined {
    return this.maxAge;
  }
}
