import {
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
} from 'class-validator';
import { IsPrefixLength } from './option-checks.js';
import type { RequestFunction } from './session-request.js';

/** A request property a session can be bound to. `ip` is reduced to a /24 or /64 prefix. */
export type FingerprintProperty = 'user-agent' | 'accept-language' | 'ip';

/** What happens when a request's fingerprint differs from the session's. */
export type FingerprintMismatchPolicy = 'destroy' | 'regenerate' | 'report';

/**
 * Binds a session to properties of the client that created it or signed in: a cookie replayed
 * from another browser does not get the session. Enabled by giving the option (even `{}`).
 *
 * @example
 * SessionModule.forRoot({ secrets, fingerprint: { properties: ['user-agent'], onMismatch: 'destroy' } })
 */
export class SessionFingerprintOptions {
  /** Request properties that make up the fingerprint. @default ['user-agent'] */
  @IsOptional()
  @IsArray()
  @IsIn(['user-agent', 'accept-language', 'ip'], {
    each: true,
    message: "fingerprint.properties may hold 'user-agent', 'accept-language' and 'ip'",
  })
  properties?: FingerprintProperty[];

  /**
   * An extra value of the request to bind, e.g. a device id header. Its result is hashed with
   * the other properties. @default undefined
   */
  @IsOptional()
  @ValidateBy({
    name: 'isFunction',
    validator: {
      validate: (value: unknown) => typeof value === 'function',
      defaultMessage: () => 'fingerprint.custom must be a function (request) => string',
    },
  })
  custom?: RequestFunction<string>;

  /**
   * On a mismatch the request never gets the session: it goes on with a fresh, empty one, and
   * every policy emits `hijack-suspected`. The stored session: `destroy` ends it; `regenerate`
   * ends it too and hands the mismatching client a new empty session at once (a new cookie
   * replaces the presented one); `report` keeps it, untouched, for the client it is bound to.
   * @default 'destroy'
   */
  @IsOptional()
  @IsIn(['destroy', 'regenerate', 'report'])
  onMismatch?: FingerprintMismatchPolicy;

  /** Leading bits of an IPv4 address kept for the `ip` property. @default 24 */
  @IsPrefixLength(32)
  ipv4PrefixLength?: number;

  /** Leading bits of an IPv6 address kept for the `ip` property. @default 64 */
  @IsPrefixLength(128)
  ipv6PrefixLength?: number;
}

/** Where `CsrfGuard` looks for the synchronizer token. */
export class SessionCsrfOptions {
  /** Request header carrying the token. @default 'x-csrf-token' */
  @IsOptional()
  @IsString()
  @Matches(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { message: 'csrf.headerName must be a header name' })
  headerName?: string;

  /** Form field carrying the token (urlencoded or JSON body). @default '_csrf' */
  @IsOptional()
  @IsString()
  fieldName?: string;
}

/**
 * Rotates the token of a living session every `intervalMs`, so a token that leaked stops
 * working soon even while its owner keeps the session alive.
 */
export class SessionRotationOptions {
  /** Give the session a new token when its current one is this old. */
  @IsInt()
  @Min(1000, { message: 'rotation.intervalMs must be at least 1000 (one second)' })
  intervalMs!: number;

  /**
   * How long the replaced token still reaches the session, for requests that were already in
   * flight with it. 0 kills it at once. @default 0
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  graceMs?: number;
}

/**
 * Encrypts the session's data fields and principal at rest with AES-256-GCM. The first key
 * encrypts, every key decrypts, so keys rotate without losing sessions.
 *
 * @example
 * encryption: { keys: [process.env.SESSION_DATA_KEY!] } // e.g. `openssl rand -base64 48`
 */
export class SessionEncryptionOptions {
  /** Keys, newest first, each at least 32 characters (hashed to 256 bits). */
  @IsArray()
  @ArrayNotEmpty({ message: 'encryption.keys must hold at least one key' })
  @IsString({ each: true })
  @MinLength(32, { each: true, message: 'each of encryption.keys must be at least 32 characters' })
  keys!: string[];
}

/**
 * Counts unknown and forged tokens per client (OWASP: detect session ID guessing); a client over
 * the limit gets 429 until its window passes. A client is its IPv4 address, or its IPv6 /64
 * (a host picks any address in its /64). With a Redis store the count is shared by every
 * instance (`shared`); otherwise, or with `shared: false`, each process counts on its own.
 */
export class SessionTokenGuessingOptions {
  /** Unknown or forged tokens allowed per client within the window. @default 20 */
  @IsOptional()
  @IsInt()
  @Min(1)
  maxAttempts?: number;

  /** Length of the counting window, ms. @default 60_000 */
  @IsOptional()
  @IsInt()
  @Min(1000)
  windowMs?: number;

  /** Leading bits of an IPv4 address that make one client. @default 32 */
  @IsPrefixLength(32)
  ipv4PrefixLength?: number;

  /** Leading bits of an IPv6 address that make one client. @default 64 */
  @IsPrefixLength(128)
  ipv6PrefixLength?: number;

  /**
   * Count in Redis, shared by every instance, when the store is Redis (one script per unknown
   * token; requests with a valid token or none pay nothing). If Redis fails, that request is
   * counted in process memory instead. @default true
   */
  @IsOptional()
  @IsBoolean()
  shared?: boolean;

  /**
   * Clients the in-process table holds at most; past it the oldest is forgotten (O(1)).
   * @default 10_000
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  maxClients?: number;
}
