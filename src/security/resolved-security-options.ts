import type { RequestFunction } from './session-request.js';
import type { FingerprintMismatchPolicy, FingerprintProperty } from './security-options.js';

/** Fingerprint binding with every default applied. */
export interface ResolvedFingerprintOptions {
  readonly properties: readonly FingerprintProperty[];
  readonly custom?: RequestFunction<string>;
  readonly onMismatch: FingerprintMismatchPolicy;
  readonly ipv4PrefixLength: number;
  readonly ipv6PrefixLength: number;
}

/** Token-guessing limits with every default applied. */
export interface ResolvedTokenGuessingOptions {
  readonly maxAttempts: number;
  readonly windowMs: number;
  readonly ipv4PrefixLength: number;
  readonly ipv6PrefixLength: number;
  readonly shared: boolean;
  readonly maxClients: number;
}

/** The security options of `SessionModuleOptions`, resolved; absent features are `undefined`. */
export interface ResolvedSecurityOptions {
  readonly fingerprint?: ResolvedFingerprintOptions;
  readonly csrf: { readonly headerName: string; readonly fieldName: string };
  readonly rotation?: { readonly intervalMs: number; readonly graceMs: number };
  readonly encryption?: { readonly keys: readonly string[] };
  readonly tokenGuessing?: ResolvedTokenGuessingOptions;
}
