import {
  SessionCsrfOptions,
  SessionEncryptionOptions,
  SessionFingerprintOptions,
  SessionRotationOptions,
  SessionTokenGuessingOptions,
} from '../security/security-options.js';
import { SessionLockOptions } from './locking/session-lock-options.js';
import { PrincipalSessionsOptions } from './management/principal-sessions-options.js';
import { SessionJwtOptions } from './jwt/session-jwt-options.js';
import { SessionRememberMeOptions } from './remember-me/remember-me-options.js';
import { SessionCookieOptions } from './session-cookie-options.js';
import type { SessionModuleOptions } from './session-module-options.js';
import {
  DEFAULT_NEAR_CACHE_MAX_BYTES,
  SessionNearCacheOptions,
} from './stores/near-cache/near-cache-options.js';
import { SessionCookieSealOptions } from './stateless/session-cookie-seal-options.js';
import { SessionTransportOptions } from './transport/session-transport-options.js';

/** One nested object of the module options: its class and the defaults of its fields. */
interface NestedOption<T extends object, K extends keyof T> {
  /** The class class-validator checks the given object as. */
  readonly type: new () => T;
  /** Laid under the given fields. */
  readonly defaults: { readonly [P in K]-?: Exclude<T[P], undefined> };
  /** Without the option: its defaults, or `off` (the feature is off; it resolves to `undefined`). */
  readonly absent: 'defaults' | 'off';
}

function nested<T extends object, K extends keyof T = never>(
  type: new () => T,
  absent: 'defaults' | 'off',
  defaults: { readonly [P in K]-?: Exclude<T[P], undefined> },
): NestedOption<T, K> {
  return { type, defaults, absent };
}

/**
 * Every nested option of `SessionModuleOptions`: its class and its defaults. Derived defaults
 * (the cookie's name, the near cache's channel) and normalising (lower-case header names) are
 * left to `resolveSessionOptions`.
 */
export const NESTED_OPTIONS = {
  cookie: nested(SessionCookieOptions, 'defaults', {
    path: '/',
    httpOnly: true,
    secure: true,
    sameSite: 'lax',
    persistent: true,
  }),
  lock: nested(SessionLockOptions, 'defaults', {
    durationMs: 5000,
    retryCount: 40,
    retryDelayMs: 50,
    retryJitterMs: 50,
    timeoutStatus: 423,
    autoExtend: true,
    quorum: [],
  }),
  transport: nested(SessionTransportOptions, 'defaults', {
    kind: 'cookie',
    requestHeader: 'authorization',
    responseHeader: 'x-session-token',
  }),
  csrf: nested(SessionCsrfOptions, 'defaults', { headerName: 'x-csrf-token', fieldName: '_csrf' }),
  principalSessions: nested(PrincipalSessionsOptions, 'defaults', {
    onLimit: 'sign-out-oldest',
    maxIndexed: 1000,
    trackClientIp: false,
  }),
  fingerprint: nested(SessionFingerprintOptions, 'off', {
    properties: ['user-agent'],
    onMismatch: 'destroy',
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 64,
  }),
  rotation: nested(SessionRotationOptions, 'off', { graceMs: 0 }),
  encryption: nested(SessionEncryptionOptions, 'off', {}),
  tokenGuessing: nested(SessionTokenGuessingOptions, 'off', {
    maxAttempts: 20,
    windowMs: 60_000,
    ipv4PrefixLength: 32,
    ipv6PrefixLength: 64,
    shared: true,
    maxClients: 10_000,
  }),
  nearCache: nested(SessionNearCacheOptions, 'off', {
    maxEntries: 10_000,
    maxBytes: DEFAULT_NEAR_CACHE_MAX_BYTES,
    ackTimeoutMs: 1000,
  }),
  cookieSessions: nested(SessionCookieSealOptions, 'off', { maxCookieBytes: 4096 }),
  rememberMe: nested(SessionRememberMeOptions, 'off', {}),
  jwt: nested(SessionJwtOptions, 'off', { ttlMs: 60_000, responseHeader: 'x-session-jwt' }),
} satisfies { [Key in keyof SessionModuleOptions]?: { type: new () => object } };

type NestedTable = typeof NESTED_OPTIONS;
type NestedKey = keyof NestedTable;

/** A nested option with its defaults applied; `undefined` when an `off` option was not given. */
export type WithDefaults<Key extends NestedKey> =
  NestedTable[Key] extends NestedOption<infer T, infer K>
    ? (T & Required<Pick<T, K>>) | (NestedTable[Key]['absent'] extends 'off' ? undefined : never)
    : never;

/**
 * Turns each plain nested object into its option class, so class-validator checks it.
 * Object.assign, not plainToInstance: a Redis client inside (lock quorum, deny-list) must stay
 * the same object.
 */
export function instantiateNestedOptions(options: SessionModuleOptions): void {
  const fields = options as unknown as Record<string, unknown>;
  for (const key of Object.keys(NESTED_OPTIONS) as NestedKey[]) {
    const value = fields[key];
    if (isPlainObject(value)) fields[key] = Object.assign(new NESTED_OPTIONS[key].type(), value);
  }
}

/** The validated nested option `key`, its given fields laid over the table's defaults. */
export function withDefaults<Key extends NestedKey>(
  options: SessionModuleOptions,
  key: Key,
): WithDefaults<Key> {
  const { defaults, absent } = NESTED_OPTIONS[key];
  const given = options[key] as object | undefined;
  if (given === undefined && absent === 'off') return undefined as WithDefaults<Key>;
  const resolved: Record<string, unknown> = { ...defaults };
  for (const [field, value] of Object.entries(given ?? {})) {
    // A field left `undefined` takes the default, as `??` would.
    if (value !== undefined) resolved[field] = value;
  }
  return resolved as WithDefaults<Key>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}
