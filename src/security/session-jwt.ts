import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import {
  type ParsedJwtKey,
  parseJwtKey,
  type SessionJwk,
  type SessionJwtKey,
  type SessionJwtVerificationKey,
} from './jwt-keys.js';

/*
 * Session JWTs with jose (an optional peer: loaded only by apps that give the `jwt` option and by
 * services that verify). The JWT says which server session it stands for (`sid`, the public id,
 * never the token) and who is signed in (`sub`); it is short-lived, so revoking the session on the
 * server takes effect downstream within the JWT's lifetime.
 */

/** The claims of a session JWT. Times in seconds since the epoch, as JWTs count them. */
export interface SessionJwtClaims {
  /** Public id of the server session (`tag.hash`): safe to log, useless as a credential. */
  readonly sid: string;
  /** The signed-in principal's id. */
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly iss?: string;
  readonly aud?: string | string[];
}

/** What a verifier checks beyond the signature and `exp`. */
export interface SessionJwtVerifyOptions {
  readonly issuer?: string;
  readonly audience?: string;
  /** Clock skew allowed on `exp` and `iat`, seconds. @default 0 */
  readonly clockToleranceSec?: number;
}

/** Signs session JWTs with the newest key of a keyring; every key's kid goes in the header. */
export class SessionJwtSigner {
  private readonly newest: ParsedJwtKey;

  constructor(
    keys: readonly SessionJwtKey[],
    private readonly claims: { readonly issuer?: string; readonly audience?: string } = {},
  ) {
    this.newest = parseJwtKey(keys[0]!);
  }

  /** A JWT for `sid` and `sub`, issued at `nowMs`, expiring at `expiresAtMs` (rounded down). */
  sign(sid: string, sub: string, nowMs: number, expiresAtMs: number): Promise<string> {
    const jwt = new SignJWT({ sid })
      .setProtectedHeader({ alg: this.newest.alg, kid: this.newest.kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setExpirationTime(Math.floor(expiresAtMs / 1000));
    if (this.claims.issuer !== undefined) jwt.setIssuer(this.claims.issuer);
    if (this.claims.audience !== undefined) jwt.setAudience(this.claims.audience);
    return jwt.sign(this.newest.signing!);
  }
}

/**
 * Verifies a session JWT without any store lookup: the key named by its `kid` (from `keys`, or
 * a JWK set such as `sessionJwks()` serves), that key's algorithm only, `exp`, and `issuer` and
 * `audience` when given. Keys that were rotated out but are still listed keep verifying.
 * Rejects (jose's errors) when anything does not hold.
 *
 * @example
 * const claims = await verifySessionJwt(request.headers['x-session-jwt'], jwks, { issuer: 'auth' });
 */
export async function verifySessionJwt(
  token: string,
  keys: readonly SessionJwtVerificationKey[] | { readonly keys: readonly SessionJwk[] },
  options: SessionJwtVerifyOptions = {},
): Promise<SessionJwtClaims> {
  const { kid } = decodeProtectedHeader(token);
  const list: readonly SessionJwtVerificationKey[] = isKeyList(keys)
    ? keys
    : keys.keys.map((jwk) => ({ kid: jwk.kid, publicKey: jwk }));
  const key = list.find((candidate) => candidate.kid === kid);
  if (!key) throw new Error(`no session JWT key has kid ${JSON.stringify(kid)}`);
  const parsed = parseJwtKey(key);
  const { payload } = await jwtVerify(token, parsed.verifying, {
    algorithms: [parsed.alg],
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSec ?? 0,
    requiredClaims: ['sid', 'sub', 'iat', 'exp'],
  });
  if (typeof payload.sid !== 'string') throw new Error('the session JWT has no sid');
  return payload as unknown as SessionJwtClaims;
}

function isKeyList(
  keys: readonly SessionJwtVerificationKey[] | { readonly keys: readonly SessionJwk[] },
): keys is readonly SessionJwtVerificationKey[] {
  return Array.isArray(keys);
}
