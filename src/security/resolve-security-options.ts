import type { RequestFunction } from './session-request.js';
import {
  type FingerprintMismatchPolicy,
  type FingerprintProperty,
  SessionCsrfOptions,
  SessionEncryptionOptions,
  SessionFingerprintOptions,
  SessionRotationOptions,
  SessionTokenGuessingOptions,
} from './security-options.js';

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

/** The raw security fields of the module options, before validation. */
export interface SecurityOptionsInput {
  fingerprint?: SessionFingerprintOptions;
  csrf?: SessionCsrfOptions;
  rotation?: SessionRotationOptions;
  encryption?: SessionEncryptionOptions;
  tokenGuessing?: SessionTokenGuessingOptions;
}

const CLASSES = {
  fingerprint: SessionFingerprintOptions,
  csrf: SessionCsrfOptions,
  rotation: SessionRotationOptions,
  encryption: SessionEncryptionOptions,
  tokenGuessing: SessionTokenGuessingOptions,
} as const;

/** Turns plain nested option objects into their classes, so class-validator checks them. */
export function prepareSecurityOptions(options: SecurityOptionsInput): void {
  for (const name of Object.keys(CLASSES) as (keyof typeof CLASSES)[]) {
    const value: unknown = options[name];
    if (typeof value === 'object' && value !== null && value.constructor === Object) {
      (options as Record<string, unknown>)[name] = Object.assign(new CLASSES[name](), value);
    }
  }
}

/** Applies the defaults of the security options (validated before). */
export function resolveSecurityOptions(options: SecurityOptionsInput): ResolvedSecurityOptions {
  const { fingerprint, rotation, encryption, tokenGuessing } = options;
  return {
    fingerprint: fingerprint && {
      properties: fingerprint.properties ?? ['user-agent'],
      custom: fingerprint.custom,
      onMismatch: fingerprint.onMismatch ?? 'destroy',
      ipv4PrefixLength: fingerprint.ipv4PrefixLength ?? 24,
      ipv6PrefixLength: fingerprint.ipv6PrefixLength ?? 64,
    },
    csrf: {
      headerName: (options.csrf?.headerName ?? 'x-csrf-token').toLowerCase(),
      fieldName: options.csrf?.fieldName ?? '_csrf',
    },
    rotation: rotation && { intervalMs: rotation.intervalMs, graceMs: rotation.graceMs ?? 0 },
    encryption: encryption && { keys: encryption.keys },
    tokenGuessing: tokenGuessing && {
      maxAttempts: tokenGuessing.maxAttempts ?? 20,
      windowMs: tokenGuessing.windowMs ?? 60_000,
      ipv4PrefixLength: tokenGuessing.ipv4PrefixLength ?? 32,
      ipv6PrefixLength: tokenGuessing.ipv6PrefixLength ?? 64,
      shared: tokenGuessing.shared ?? true,
      maxClients: tokenGuessing.maxClients ?? 10_000,
    },
  };
}
