import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/*
 * Signing keys of session JWTs, with node:crypto only (no jose): parsing, the algorithm each key
 * signs with, the checks of the `jwt.keys` option, and the public JWK set.
 */

/** Shortest HS256 secret: 256 bits, as RFC 7518 asks of an HMAC key for HS256. */
export const MIN_JWT_SECRET_LENGTH = 32;

/** One signing key: a shared secret (HS256) or a private key (ES256, ES384, EdDSA, RS256). */
export type SessionJwtKey =
  | { readonly kid: string; readonly secret: string }
  | { readonly kid: string; readonly privateKey: string | KeyObject };

/** One key a downstream service verifies with: a signing key, or the public half of one. */
export type SessionJwtVerificationKey =
  SessionJwtKey | { readonly kid: string; readonly publicKey: string | KeyObject | JsonWebKey };

export type SessionJwtAlgorithm = 'HS256' | 'ES256' | 'ES384' | 'EdDSA' | 'RS256';

/** A public key as a JWKS serves it. */
export interface SessionJwk extends JsonWebKey {
  readonly kid: string;
  readonly alg: SessionJwtAlgorithm;
  readonly use: 'sig';
}

/** A key ready to sign or verify with. */
export interface ParsedJwtKey {
  readonly kid: string;
  readonly alg: SessionJwtAlgorithm;
  /** Absent for a key known only by its public half. */
  readonly signing?: KeyObject;
  readonly verifying: KeyObject;
}

/** Parses a key; throws an Error that names what is wrong with it. */
export function parseJwtKey(key: SessionJwtVerificationKey): ParsedJwtKey {
  const { kid } = key;
  if ('secret' in key) {
    if (typeof key.secret !== 'string' || key.secret.length < MIN_JWT_SECRET_LENGTH) {
      throw new Error(`secret must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
    }
    const secret = createSecretKey(Buffer.from(key.secret, 'utf8'));
    return { kid, alg: 'HS256', signing: secret, verifying: secret };
  }
  if ('privateKey' in key) {
    const signing =
      typeof key.privateKey === 'string' ? createPrivateKey(key.privateKey) : key.privateKey;
    if (signing.type !== 'private') throw new Error('privateKey must be a private key');
    return { kid, alg: algorithmOf(signing), signing, verifying: createPublicKey(signing) };
  }
  const given = key.publicKey;
  const verifying =
    typeof given === 'string'
      ? createPublicKey(given)
      : isKeyObject(given)
        ? given
        : createPublicKey({ key: given, format: 'jwk' });
  if (verifying.type !== 'public') throw new Error('publicKey must be a public key');
  return { kid, alg: algorithmOf(verifying), verifying };
}

/** What is wrong with a `jwt.keys` option, as messages; empty when nothing is. */
export function jwtKeyProblems(keys: unknown, path: string): string[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    return [
      `${path} must be a non-empty array of { kid, secret } or { kid, privateKey }, newest first`,
    ];
  }
  const problems: string[] = [];
  const kids = new Set<string>();
  keys.forEach((key: unknown, index) => {
    const at = `${path}[${index}]`;
    if (typeof key !== 'object' || key === null) return problems.push(`${at} must be an object`);
    const { kid, secret, privateKey } = key as Record<string, unknown>;
    if (typeof kid !== 'string' || !/^[\w.-]{1,64}$/.test(kid)) {
      problems.push(`${at}.kid must be 1 to 64 letters, digits, '_', '-' or '.'`);
    } else if (kids.has(kid)) problems.push(`${at}.kid '${kid}' is used twice`);
    else kids.add(kid);
    if ((secret === undefined) === (privateKey === undefined)) {
      return problems.push(`${at} must have either secret or privateKey`);
    }
    try {
      parseJwtKey(key as SessionJwtKey);
    } catch (error) {
      problems.push(`${at}: ${(error as Error).message}`);
    }
  });
  return problems;
}

/**
 * The public JWK set of the asymmetric keys, to serve at a JWKS endpoint: downstream services
 * verify session JWTs with it and never hold a secret. HS256 keys are left out (a secret has no
 * public half; share it with the services that verify).
 */
export function sessionJwks(keys: readonly SessionJwtKey[]): { keys: SessionJwk[] } {
  const jwks: SessionJwk[] = [];
  for (const key of keys) {
    const parsed = parseJwtKey(key);
    if (parsed.alg === 'HS256') continue;
    jwks.push({
      ...parsed.verifying.export({ format: 'jwk' }),
      kid: key.kid,
      alg: parsed.alg,
      use: 'sig',
    });
  }
  return { keys: jwks };
}

function algorithmOf(key: KeyObject): SessionJwtAlgorithm {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') return 'ES256';
  if (type === 'ec' && curve === 'secp384r1') return 'ES384';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new Error(
    'the key must be EC P-256 (ES256), EC P-384 (ES384), Ed25519 (EdDSA) or RSA of 2048 bits or more (RS256)',
  );
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' && value !== null && 'asymmetricKeyType' in value && 'export' in value
  );
}
