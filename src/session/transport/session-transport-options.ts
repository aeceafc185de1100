import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * How the session token travels. `cookie` for browsers; `header` for mobile and API clients:
 * the token is read from `Authorization: Bearer <token>` (or another request header) and a new
 * token is returned in a response header when the session is created or regenerated.
 */
export class SessionTransportOptions {
  /** @default 'cookie' */
  @IsOptional()
  @IsIn(['cookie', 'header'])
  kind?: 'cookie' | 'header';

  /**
   * Request header that carries the token in header mode; 'authorization' reads the Bearer
   * scheme. @default 'authorization'
   */
  @IsOptional()
  @IsString()
  @Matches(HEADER_NAME, { message: 'transport.requestHeader must be a header name' })
  requestHeader?: string;

  /**
   * Response header that carries a new token (creation, regeneration, rotation); empty when the
   * session ended. @default 'x-session-token'
   */
  @IsOptional()
  @IsString()
  @Matches(HEADER_NAME, { message: 'transport.responseHeader must be a header name' })
  responseHeader?: string;
}

/** Transport settings with every default applied. */
export interface ResolvedTransportOptions {
  readonly kind: 'cookie' | 'header';
  readonly requestHeader: string;
  readonly responseHeader: string;
}
