import { type ValidationError, validateSync } from 'class-validator';
import type { Cluster, Redis } from 'ioredis';
import type { ResolvedSecurityOptions } from '../security/resolved-security-options.js';
import type { ResolvedJwtOptions } from './jwt/session-jwt-options.js';
import type { ResolvedManagementOptions } from './management/principal-sessions-options.js';
import { instantiateNestedOptions, withDefaults, type WithDefaults } from './nested-options.js';
import type { RedisConnection } from './redis-connection.js';
import { SessionModuleOptions } from './session-module-options.js';
import { SessionOptionsError } from './session.errors.js';
import type { ResolvedCookieSealOptions } from './stateless/session-cookie-seal-options.js';
import { cookieSessionProblems } from './stateless/cookie-session-problems.js';
import type { LockSettings, SessionStore } from './stores/session-store.js';
import type { ResolvedTransportOptions } from './transport/session-transport-options.js';

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
  /** False: a browser-session cookie, except for remembered sessions. */
  readonly persistent: boolean;
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
  /** The longest lifetime a remembered sign-in may give; absent when `rememberMe` is off. */
  readonly rememberMe?: { readonly absoluteTimeoutMs: number };
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
  /** Session JWT settings; absent when JWTs are off. */
  readonly jwt?: ResolvedJwtOptions;
}

const MINUTE = 60_000;
const IDLE_TIMEOUT_MS = 30 * MINUTE;
const ABSOLUTE_TIMEOUT_MS = 8 * 60 * MINUTE;

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
  instantiateNestedOptions(options);
  const problems = validateSync(options, { whitelist: true, forbidNonWhitelisted: true }).flatMap(
    (error) => describe(error, ''),
  );
  problems.push(...crossOptionProblems(options));
  if (problems.length > 0) throw SessionOptionsError.invalid(problems);
  return applyDefaults(options);
}

/** Problems no single option shows: options that contradict each other. */
function crossOptionProblems(options: SessionModuleOptions): string[] {
  const problems: string[] = [];
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const absoluteTimeoutMs = options.absoluteTimeoutMs ?? ABSOLUTE_TIMEOUT_MS;
  if (idleTimeoutMs > absoluteTimeoutMs) {
    problems.push(
      `idleTimeoutMs (${idleTimeoutMs}) must not be longer than absoluteTimeoutMs (${absoluteTimeoutMs}); ` +
        'shorten the idle timeout or lengthen the absolute one',
    );
  }
  const remembered = options.rememberMe?.absoluteTimeoutMs;
  if (typeof remembered === 'number' && remembered <= absoluteTimeoutMs) {
    problems.push(
      `rememberMe.absoluteTimeoutMs (${remembered}) must be longer than absoluteTimeoutMs (${absoluteTimeoutMs})`,
    );
  }
  if (options.redis !== undefined && options.store !== undefined) {
    problems.push('give either `redis` or `store`, not both: `store` would make `redis` unused');
  }
  if (options.nearCache !== undefined && options.redis === undefined) {
    problems.push('nearCache needs `redis`: its copies are kept coherent through Redis pub/sub');
  }
  problems.push(...cookieSessionProblems(options));
  const { secure, sameSite } = withDefaults(options, 'cookie');
  if (sameSite === 'none' && secure !== true) {
    problems.push("cookie.sameSite 'none' needs cookie.secure true: browsers drop such cookies");
  }
  return problems;
}

/** The validated options with every default applied. */
function applyDefaults(options: SessionModuleOptions): ResolvedSessionOptions {
  const prefix = options.prefix ?? 'sess:';
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;
  const { name, ...cookie } = withDefaults(options, 'cookie');
  const { secure, domain, path } = cookie;
  const transport = withDefaults(options, 'transport');
  const csrf = withDefaults(options, 'csrf');
  const nearCache = withDefaults(options, 'nearCache');
  return {
    secrets: options.secrets,
    redis: options.redis,
    store: options.store,
    prefix,
    cookie: {
      name: name ?? (secure === true && !domain && path === '/' ? '__Host-sid' : 'sid'),
      ...cookie,
    },
    idleTimeoutMs,
    absoluteTimeoutMs: options.absoluteTimeoutMs ?? ABSOLUTE_TIMEOUT_MS,
    rememberMe: withDefaults(options, 'rememberMe'),
    slideAfterMs: Math.floor((options.slideAfterShare ?? 0.1) * idleTimeoutMs),
    saveUninitialized: options.saveUninitialized ?? false,
    maxSessionBytes: options.maxSessionBytes ?? 65_536,
    commandTimeoutMs,
    lock: withDefaults(options, 'lock'),
    transport: {
      kind: transport.kind,
      requestHeader: transport.requestHeader.toLowerCase(),
      responseHeader: transport.responseHeader.toLowerCase(),
    },
    nearCache: nearCache && { ...nearCache, channel: nearCache.channel ?? `${prefix}invalidate` },
    security: {
      fingerprint: withDefaults(options, 'fingerprint'),
      csrf: { headerName: csrf.headerName.toLowerCase(), fieldName: csrf.fieldName },
      rotation: withDefaults(options, 'rotation'),
      encryption: withDefaults(options, 'encryption'),
      tokenGuessing: withDefaults(options, 'tokenGuessing'),
    },
    cookieSessions: withDefaults(options, 'cookieSessions'),
    jwt: resolveJwt(withDefaults(options, 'jwt')),
    principalSessions: withDefaults(options, 'principalSessions'),
    replicaAcks: options.replicaAcks ?? 0,
    replicaAckTimeoutMs: options.replicaAckTimeoutMs ?? Math.floor(commandTimeoutMs / 2),
    onReplicaShortfall: options.onReplicaShortfall ?? 'fail',
    expiryNotifications: options.expiryNotifications ?? false,
  };
}

function resolveJwt(jwt: WithDefaults<'jwt'>): ResolvedJwtOptions | undefined {
  return jwt && { ...jwt, responseHeader: jwt.responseHeader.toLowerCase() };
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
