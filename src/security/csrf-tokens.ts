import { createHmac, timingSafeEqual } from 'node:crypto';
import { publicIdOf, type SessionKey } from './session-token.js';

/**
 * Synchronizer CSRF tokens bound to a session: an HMAC of the session's store key under a key
 * derived from the cookie secrets. Derived, not stored, so reading the token costs no write;
 * the store key changes when the token is regenerated, so the CSRF token changes with it.
 */
export class CsrfTokens {
  private readonly keys: readonly Buffer[];

  /** @param secrets the cookie secrets, newest first: the newest issues, all verify */
  constructor(secrets: readonly string[]) {
    this.keys = secrets.map((secret) =>
      createHmac('sha256', secret).update('nestjs-distributed-session:csrf').digest(),
    );
  }

  /** The CSRF token of the session stored under `key`. */
  tokenFor(key: SessionKey): string {
    return this.hmac(this.keys[0]!, key);
  }

  /** Whether `token` is the CSRF token of the session stored under `key` (constant time). */
  verify(key: SessionKey, token: string): boolean {
    const given = Buffer.from(token);
    return this.keys.some((secret) => {
      const expected = Buffer.from(this.hmac(secret, key));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  private hmac(secret: Buffer, key: SessionKey): string {
    return createHmac('sha256', secret).update(publicIdOf(key)).digest('base64url');
  }
}
