import { IsBoolean, IsIn, IsOptional, IsString, Matches } from 'class-validator';

/** Attributes of the session cookie. */
export class SessionCookieOptions {
  /**
   * Cookie name. @default '__Host-sid' when `secure` is true, no `domain` is set and `path` is
   * '/' (the prefix makes browsers refuse the cookie from a sibling domain or over plain HTTP);
   * otherwise 'sid'.
   */
  @IsOptional()
  @IsString()
  @Matches(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, { message: 'cookie.name must be a cookie token' })
  name?: string;

  /** Domain attribute; leave unset to bind the cookie to the exact host. @default undefined */
  @IsOptional()
  @IsString()
  domain?: string;

  /** @default '/' */
  @IsOptional()
  @IsString()
  path?: string;

  /** Hide the cookie from page scripts. @default true */
  @IsOptional()
  @IsBoolean()
  httpOnly?: boolean;

  /**
   * Send the cookie over HTTPS only. Turn off only for plain-HTTP development: the module warns.
   * `'auto'` sets Secure when the request came over HTTPS (`req.secure`, which honours Express'
   * `trust proxy`); the name then has no `__Host-` prefix, since a cookie's name must not change
   * from one request to the next.
   * @default true
   */
  @IsOptional()
  @IsIn([true, false, 'auto'], { message: "cookie.secure must be true, false or 'auto'" })
  secure?: boolean | 'auto';

  /**
   * `false`: a browser-session cookie (no `Max-Age` or `Expires`), dropped when the browser
   * closes, except for sessions signed in with `rememberMe`. The server enforces the idle and
   * absolute deadlines either way. @default true (the cookie lives until the idle deadline)
   */
  @IsOptional()
  @IsBoolean()
  persistent?: boolean;

  /** @default 'lax' */
  @IsOptional()
  @IsIn(['lax', 'strict', 'none'])
  sameSite?: 'lax' | 'strict' | 'none';
}
