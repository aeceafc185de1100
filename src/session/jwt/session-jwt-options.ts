import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { jwtKeyProblems, type SessionJwtKey } from '../../security/jwt-keys.js';

/**
 * Session JWTs: each response to a signed-in session carries a short-lived signed JWT
 * (`sid`: the session's public id, `sub`: the principal's id) that downstream services verify
 * with `verifySessionJwt` and the keys, or the JWK set of `sessionJwks`, without a store lookup.
 * Needs the `jose` package (an optional peer dependency).
 *
 * @example
 * SessionModule.forRoot({ secrets, transport: { kind: 'header' },
 *   jwt: { keys: [{ kid: '2026-06', privateKey: process.env.JWT_KEY! }], ttlMs: 60_000 } })
 */
export class SessionJwtOptions {
  /**
   * Signing keys, newest first: the first signs, the others stay listed (and in the JWK set) so
   * JWTs they signed keep verifying until they expire. `{ kid, secret }` signs HS256 (a secret of
   * at least 32 characters, shared with the verifiers); `{ kid, privateKey }` (PEM or KeyObject)
   * signs ES256, ES384, EdDSA or RS256, and verifiers need only the public JWK set.
   */
  @ValidateBy({
    name: 'isJwtKeyring',
    validator: {
      validate: (value: unknown) => jwtKeyProblems(value, 'jwt.keys').length === 0,
      defaultMessage: (args) => jwtKeyProblems(args?.value, 'jwt.keys').join('; '),
    },
  })
  keys!: SessionJwtKey[];

  /**
   * How long a JWT is valid, ms; also how long a revoked session's JWT may still be accepted
   * downstream. At most an hour. @default 60_000
   */
  @IsOptional()
  @IsInt()
  @Min(1000, { message: 'jwt.ttlMs must be at least 1000 (one second)' })
  @Max(3_600_000, {
    message: 'jwt.ttlMs must be at most 3600000 (one hour): JWTs are not revocable',
  })
  ttlMs?: number;

  /** The `iss` claim. @default undefined (none) */
  @IsOptional()
  @IsString()
  issuer?: string;

  /** The `aud` claim. @default undefined (none) */
  @IsOptional()
  @IsString()
  audience?: string;

  /** The response header that carries the JWT. @default 'x-session-jwt' */
  @IsOptional()
  @Matches(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, {
    message: 'jwt.responseHeader must be a header name',
  })
  responseHeader?: string;
}

/** The JWT settings with every default applied. */
export interface ResolvedJwtOptions {
  readonly keys: readonly SessionJwtKey[];
  readonly ttlMs: number;
  readonly issuer?: string;
  readonly audience?: string;
  readonly responseHeader: string;
}
