import { type ValidationError, validateSync } from 'class-validator';
import { SessionOptionsError } from './session.errors.js';
import type { Cluster, Redis } from 'ioredis';
import {
  type RedisConnection,
  SessionCookieOptions,
  SessionLockOptions,
  SessionModuleOptions,
} from './session-module-options.js';
import {
  DEFAULT_NEAR_CACHE_MAX_BYTES,
  SessionNearCacheOptions,
} from './stores/near-cache/near-cache-options.js';
import {
  type ResolvedCookieSealOptions,
  resolveCookieSealOptions,
  SessionCookieSealOptions,
} from './stateless/session-cookie-seal-options.js';
import { cookieSessionProblems } from './stateless/cookie-session-problems.js';
import {
  type ResolvedTransportOptions,
  resolveTransportOptions,
  SessionTransportOptions,
} from './transport/session-transport-options.js';
import type { LockSettings, SessionStore } from './stores/session-store.js';
import {
  PrincipalSessionsOptions,
  type ResolvedManagementOptions,
  resolveManagementOptions,
} from './management/principal-sessions-options.js';
import {
  prepareSecurityOptions,
  type ResolvedSecurityOptions,
  resolveSecurityOptions,
} from '../security/resolve-security-options.js';

/** Lock settings with every default applied. */
export interface ResolvedLockOptions extends LockSettings {
  readonly autoExtend: boolean;
  readonly quorum: readonly (Redis | Cluster)[];
}

/** Cookie attributes with every default applied. */
export interface ResolvedCookieOptions {
  readonly name: string;
  readonly domain?: string;
  readonly path: string;
  readonly httpOnly: boolean;
  readonly secure: boolean | 'auto';
  readonly sameSite: 'lax' | 'strict' | 'none';
}

/** Options after validation, with every default applied once. */
export interface ResolvedSessionOptions extends ResolvedManagementOptions {
  readonly secrets: readonly string[];
  readonly redis?: RedisConnection;
  readonly store?: SessionStore;
  readonly prefix: string;
  readonly cookie: ResolvedCookieOptions;
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly slideAfterMs: number;
  readonly saveUninitialized: boolean;
  readonly maxSessionBytes: number;
  readonly commandTimeoutMs: number;
  readonly lock: ResolvedLockOptions;
  readonly transport: ResolvedTransportOptions;
  /** Near cache settings; absent when it is off. */
  readonly nearCache?: {
    readonly maxEntries: number;
    readonly maxBytes: number;
    readonly channel: string;
    readonly ackTimeoutMs: number;
  };
  /** Fingerprint, CSRF, rotation, encryption and token-guessing settings. */
  readonly security: ResolvedSecurityOptions;
  /** Cookie-session settings; absent when sessions live in a store. */
  readonly cookieSessions?: ResolvedCookieSealOptions;
}

const MINUTE = 60_000;

/**
 * Validates options with class-validator and applies the defaults. Shared by `forRoot` and
 * `forRootAsync`, so both fail the same way: one {@link SessionOptionsError} listing every problem.
 */
export function resolveSessionOptions(raw: unknown): ResolvedSessionOptions {
  if (typeof raw !== 'object' || raw === null) {
    throw SessionOptionsError.invalid(['options must be an object with at least `secrets`']);
  }
  // Object.assign, not plainToInstance: a Redis client or store passed in must stay the same object.
  const options = Object.assign(new SessionModuleOptions(), raw);
  if (isPlainObject(options.cookie)) {
    options.cookie = Object.assign(new SessionCookieOptions(), options.cookie);
  }
  if (isPlainObject(options.lock)) {
    options.lock = Object.assign(new SessionLockOptions(), options.lock);
  }
  if (isPlainObject(options.transport)) {
    options.transport = Object.assign(new SessionTransportOptions(), options.transport);
  }
  if (isPlainObject(options.nearCache)) {
    options.nearCache = Object.assign(new SessionNearCacheOptions(), options.nearCache);
  }
  if (isPlainObject(options.cookieSessions)) {
    options.cookieSessions = Object.assign(new SessionCookieSealOptions(), options.cookieSessions);
  }
  prepareSecurityOptions(options);
  if (isPlainObject(options.principalSessions)) {
    options.principalSessions = Object.assign(
      new PrincipalSessionsOptions(),
      options.principalSessions,
    );
  }
  const problems = validateSync(options, { whitelist: true, forbidNonWhitelisted: true }).flatMap(
    (error) => describe(error, ''),
  );
  const idleTimeoutMs = options.idleTimeoutMs ?? 30 * MINUTE;
  const absoluteTimeoutMs = options.absoluteTimeoutMs ?? 8 * 60 * MINUTE;
  if (idleTimeoutMs > absoluteTimeoutMs) {
    problems.push(
      `idleTimeoutMs (${idleTimeoutMs}) must not be longer than absoluteTimeoutMs (${absoluteTimeoutMs}); ` +
        'shorten the idle timeout or lengthen the absolute one',
    );
  }
  if (options.redis !== undefined && options.store !== undefined) {
    problems.push('give either `redis` or `store`, not both: `store` would make `redis` unused');
  }
  const secure = options.cookie?.secure ?? true;
  const sameSite = options.cookie?.sameSite ?? 'lax';
  if (options.nearCache !== undefined && options.redis === undefined) {
    problems.push('nearCache needs `redis`: its copies are kept coherent through Redis pub/sub');
  }
  problems.push(...cookieSessionProblems(options));
  if (sameSite === 'none' && secure !== true) {
    problems.push("cookie.sameSite 'none' needs cookie.secure true: browsers drop such cookies");
  }
  if (problems.length > 0) throw SessionOptionsError.invalid(problems);

  const path = options.cookie?.path ?? '/';
  const domain = options.cookie?.domain;
  return {
    secrets: options.secrets,
    redis: options.redis,
    store: options.store,
    prefix: options.prefix ?? 'sess:',
    cookie: {
      name:
        options.cookie?.name ?? (secure === true && !domain && path === '/' ? '__Host-sid' : 'sid'),
      domain,
      path,
      httpOnly: options.cookie?.httpOnly ?? true,
      secure,
      sameSite,
    },
    idleTimeoutMs,
    absoluteTimeoutMs,
    slideAfterMs: Math.floor((options.slideAfterShare ?? 0.1) * idleTimeoutMs),
    saveUninitialized: options.saveUninitialized ?? false,
    maxSessionBytes: options.maxSessionBytes ?? 65_536,
    commandTimeoutMs: options.commandTimeoutMs ?? 2000,
    lock: {
      durationMs: options.lock?.durationMs ?? 5000,
      retryCount: options.lock?.retryCount ?? 40,
      retryDelayMs: options.lock?.retryDelayMs ?? 50,
      retryJitterMs: options.lock?.retryJitterMs ?? 50,
      timeoutStatus: options.lock?.timeoutStatus ?? 423,
      autoExtend: options.lock?.autoExtend ?? true,
      quorum: options.lock?.quorum ?? [],
    },
    transport: resolveTransportOptions(options.transport),
    nearCache: options.nearCache && {
      maxEntries: options.nearCache.maxEntries ?? 10_000,
      maxBytes: options.nearCache.maxBytes ?? DEFAULT_NEAR_CACHE_MAX_BYTES,
      channel: options.nearCache.channel ?? `${options.prefix ?? 'sess:'}invalidate`,
      ackTimeoutMs: options.nearCache.ackTimeoutMs ?? 1000,
    },
    security: resolveSecurityOptions(options),
    cookieSessions: resolveCookieSealOptions(options.cookieSessions),
    ...resolveManagementOptions(options),
  };
}

function describe(error: ValidationError, parent: string): string[] {
  const path = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) =>
    message.includes('should not exist')
      ? `unknown option \`${path}\`: check its spelling against SessionModuleOptions`
      : message.startsWith(error.property) && parent
        ? `${parent}.${message}`
        : message,
  );
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, path))];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}
