import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { IsKeyring } from '../security/option-checks.js';
import { MIN_SECRET_LENGTH } from '../security/signing-keyring.js';
import {
  SessionCsrfOptions,
  SessionEncryptionOptions,
  SessionFingerprintOptions,
  SessionRotationOptions,
  SessionTokenGuessingOptions,
} from '../security/security-options.js';
import { SessionLockOptions } from './locking/session-lock-options.js';
import { PrincipalSessionsOptions } from './management/principal-sessions-options.js';
import { isRedisConnection, type RedisConnection } from './redis-connection.js';
import { SessionJwtOptions } from './jwt/session-jwt-options.js';
import { SessionRememberMeOptions } from './remember-me/remember-me-options.js';
import { SessionCookieOptions } from './session-cookie-options.js';
import { SessionNearCacheOptions } from './stores/near-cache/near-cache-options.js';
import { SessionCookieSealOptions } from './stateless/session-cookie-seal-options.js';
import { SessionTransportOptions } from './transport/session-transport-options.js';
import { SessionStore } from './stores/session-store.js';

/**
 * Options of `SessionModule.forRoot()` / `forRootAsync()`, validated when the module starts:
 * a wrong option stops the app with a message that names it.
 *
 * @example
 * SessionModule.forRoot({
 *   secrets: [process.env.SESSION_SECRET!],
 *   redis: 'redis://127.0.0.1:6379',
 *   idleTimeoutMs: 15 * 60_000,
 * })
 */
export class SessionModuleOptions {
  /**
   * Secrets that sign the session cookie, newest first: the first signs, all verify, so a new
   * secret can be put in front without signing anybody out. Each at least 32 characters.
   */
  @IsKeyring('secrets', 'secret', MIN_SECRET_LENGTH)
  secrets!: string[];

  /** Keep sessions in Redis. Give either `redis` or `store`, not both. @default undefined */
  @IsOptional()
  @ValidateBy({
    name: 'isRedisConnection',
    validator: {
      validate: isRedisConnection,
      defaultMessage: () =>
        'redis must be a redis:// or rediss:// URL, an ioredis Redis or Cluster client, ' +
        '{ sentinels, name } or { clusterNodes }',
    },
  })
  redis?: RedisConnection;

  /**
   * Any `SessionStore`. Without `redis` and `store`, sessions live in process memory, which
   * serves one process only (the module warns). @default MemorySessionStore
   */
  @IsOptional()
  @ValidateBy({
    name: 'isSessionStore',
    validator: {
      validate: (value: unknown) => value instanceof SessionStore,
      defaultMessage: () => 'store must be an instance of a class that extends SessionStore',
    },
  })
  store?: SessionStore;

  /** Prefix of every Redis key the store writes. @default 'sess:' */
  @IsOptional()
  @IsString()
  prefix?: string;

  /** Cookie attributes. @default { path: '/', httpOnly: true, secure: true, sameSite: 'lax' } */
  @IsOptional()
  @ValidateNested()
  cookie?: SessionCookieOptions;

  /** A session unused this long ends (sliding). @default 1_800_000 (30 minutes) */
  @IsOptional()
  @IsInt()
  @Min(1000, { message: 'idleTimeoutMs must be at least 1000 (one second)' })
  idleTimeoutMs?: number;

  /** A session ends this long after it was created, however much it is used. @default 28_800_000 (8 hours) */
  @IsOptional()
  @IsInt()
  @Min(1000, { message: 'absoluteTimeoutMs must be at least 1000 (one second)' })
  absoluteTimeoutMs?: number;

  /**
   * "Remember me": lets `signIn(principal, { rememberMe: true })` give a session a longer
   * absolute deadline (at most `rememberMe.absoluteTimeoutMs`) and a persistent cookie.
   * @default undefined (off: signIn with a lifetime throws)
   */
  @IsOptional()
  @ValidateNested()
  rememberMe?: SessionRememberMeOptions;

  /**
   * Share of the idle window that must pass before a read slides an unchanged session's idle
   * deadline. 0 slides on every request; 0.1 writes at most once per tenth of the window, and
   * the enforced idle timeout is then between 90% and 100% of `idleTimeoutMs`. @default 0.1
   */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  slideAfterShare?: number;

  /** Save a new session even when the request put nothing in it. @default false */
  @IsOptional()
  @IsBoolean()
  saveUninitialized?: boolean;

  /** Largest serialised size of a session's data, in bytes. @default 65_536 */
  @IsOptional()
  @IsInt()
  @Min(256)
  maxSessionBytes?: number;

  /** Session locks of `@SessionLock()` and `withLock()`. */
  @IsOptional()
  @ValidateNested()
  lock?: SessionLockOptions;

  /** Longest wait for one store operation; past it the request gets 503. @default 2000 */
  @IsOptional()
  @IsInt()
  @Min(10)
  commandTimeoutMs?: number;

  /** Bind sessions to client properties (User-Agent by default). @default undefined (off) */
  @IsOptional()
  @ValidateNested()
  fingerprint?: SessionFingerprintOptions;

  /** Where `CsrfGuard` finds the token. @default { headerName: 'x-csrf-token', fieldName: '_csrf' } */
  @IsOptional()
  @ValidateNested()
  csrf?: SessionCsrfOptions;

  /** Rotate the token of living sessions every `intervalMs`. @default undefined (off) */
  @IsOptional()
  @ValidateNested()
  rotation?: SessionRotationOptions;

  /** Encrypt session data and principal at rest (AES-256-GCM). @default undefined (off) */
  @IsOptional()
  @ValidateNested()
  encryption?: SessionEncryptionOptions;

  /** Answer 429 to clients sending too many unknown or forged tokens. @default undefined (off) */
  @IsOptional()
  @ValidateNested()
  tokenGuessing?: SessionTokenGuessingOptions;

  /** Session lists, revocation and the cap on sessions per principal. @default {} (no cap) */
  @IsOptional()
  @ValidateNested()
  principalSessions?: PrincipalSessionsOptions;

  /**
   * Replicas that must acknowledge every commit (`WAIT`) before the response, so an acknowledged
   * write survives a failover. Redis only; adds the replication delay to each write. @default 0
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  replicaAcks?: number;

  /** Longest wait for `replicaAcks`, ms. @default half of `commandTimeoutMs` */
  @IsOptional()
  @IsInt()
  @Min(1)
  replicaAckTimeoutMs?: number;

  /**
   * Too few replicas acknowledged in time: 'fail' answers 503 (`SessionReplicationError`),
   * 'warn' accepts and emits `store-error` with operation 'replicate'. @default 'fail'
   */
  @IsOptional()
  @IsIn(['fail', 'warn'])
  onReplicaShortfall?: 'fail' | 'warn';

  /**
   * Emit `expired` when Redis expires a session key (keyspace notifications, subscribed on every
   * master of a Cluster; the module enables `notify-keyspace-events Ex` where it may). Without
   * it, expiry is still detected when the session is next used. @default false
   */
  @IsOptional()
  @IsBoolean()
  expiryNotifications?: boolean;

  /**
   * Near cache: each instance keeps recently used sessions in memory, kept coherent through
   * Redis pub/sub, so a read-only request on an instance that holds the current version costs
   * no Redis round trip. Needs `redis`. @default undefined (off)
   */
  @IsOptional()
  @ValidateNested()
  nearCache?: SessionNearCacheOptions;

  /** Cookie (browsers) or header (mobile and API clients) token transport. @default { kind: 'cookie' } */
  @IsOptional()
  @ValidateNested()
  transport?: SessionTransportOptions;

  /**
   * Stateless cookie sessions: the whole session sealed in the cookie (AES-256-GCM), no server
   * state, optionally a Redis deny-list for revocation. Excludes `redis` and `store`.
   * @default undefined (sessions live in the store)
   */
  @IsOptional()
  @ValidateNested()
  cookieSessions?: SessionCookieSealOptions;

  /**
   * Short-lived signed JWTs for downstream services (header `x-session-jwt` on each response to
   * a signed-in session); needs the `jose` package. @default undefined (off)
   */
  @IsOptional()
  @ValidateNested()
  jwt?: SessionJwtOptions;
}
