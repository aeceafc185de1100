import { IsArray, IsInt, IsOptional, IsString, Max, Min, ValidateBy } from 'class-validator';
import type { Cluster, Redis } from 'ioredis';
import { MIN_SEAL_KEY_LENGTH } from '../../security/cookie-seal.js';
import { IsKeyring } from '../../security/option-checks.js';

/**
 * Stateless cookie sessions: the whole session sealed in its cookie (AES-256-GCM), no server
 * state. Excludes `redis` and `store`; locks, optimistic mode and session lists need a store.
 *
 * @example
 * SessionModule.forRoot({
 *   secrets: [process.env.SESSION_SECRET!],
 *   cookieSessions: { keys: [process.env.COOKIE_KEY!], denyList: process.env.REDIS_URL },
 * })
 */
export class SessionCookieSealOptions {
  /**
   * Keys that seal the cookie, newest first: the first seals, all open, so a new key can be put
   * in front without signing anybody out (cookies sealed with an older key are sealed again
   * with the newest on their next request). Each at least 32 characters.
   */
  @IsKeyring('cookieSessions.keys', 'key', MIN_SEAL_KEY_LENGTH)
  keys!: string[];

  /**
   * Largest cookie (`name=value`, encoded) a session may take; a larger one raises
   * `SessionCookieTooLargeError` (413). Browsers keep at least 4096 bytes per cookie.
   * @default 4096
   */
  @IsOptional()
  @IsInt()
  @Min(512)
  @Max(4096, {
    message: 'cookieSessions.maxCookieBytes must be at most 4096: browsers drop larger cookies',
  })
  maxCookieBytes?: number;

  /**
   * Redis for a deny-list of ended session ids (sign-out, regeneration, destroy), each kept until
   * the session's absolute deadline, so an ended session's cookie is refused even if it was
   * copied. Costs one `EXISTS` per request with a session cookie. @default undefined (off: a copied
   * cookie stays valid until its deadlines)
   */
  @IsOptional()
  @ValidateBy({
    name: 'isDenyListConnection',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string'
          ? /^rediss?:\/\//.test(value)
          : typeof value === 'object' && value !== null && 'defineCommand' in value,
      defaultMessage: () =>
        'cookieSessions.denyList must be a redis:// or rediss:// URL or an ioredis client',
    },
  })
  denyList?: string | Redis | Cluster;

  /**
   * Data keys that must never go back to an older value, such as a failed-OTP counter: when a
   * commit changes one, the deny-list records the new cookie's sequence as the lowest a cookie
   * of this session may carry, so replaying an older cookie opens a fresh, empty session. Of
   * two racing requests from one cookie that both change such a key, the second gets
   * `SessionSequenceConflictError` (409). Needs `denyList`; opening stays one round trip (a `GET`
   * instead of an `EXISTS`), and a commit that changes one of these keys costs one more. Removing
   * the option later refuses the cookies of sessions that had a floor recorded (fresh session).
   * @default [] (any older cookie of a live session opens)
   */
  @IsOptional()
  @IsArray({ message: 'cookieSessions.monotonicKeys must be an array of data key names' })
  @IsString({ each: true })
  monotonicKeys?: string[];
}

/** Cookie-session settings with every default applied. */
export interface ResolvedCookieSealOptions {
  readonly keys: readonly string[];
  readonly maxCookieBytes: number;
  readonly denyList?: string | Redis | Cluster;
  readonly monotonicKeys?: readonly string[];
}
