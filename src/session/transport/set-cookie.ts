import { serialize } from 'cookie';
import type { CookieAttributes } from '../../security/cookie-attributes.js';
import type { SessionHttpPort } from './http-port.js';

const EPOCH = new Date(0);

/**
 * The `Set-Cookie` line of the session cookie, serialised by the `cookie` package (which
 * refuses names, values and attributes that would break the header). Both `Max-Age` and
 * `Expires`, as Express writes them, for clients that know only one; neither when `maxAgeMs` is
 * undefined (a browser-session cookie).
 */
export function sessionCookieLine(
  name: string,
  value: string,
  attributes: CookieAttributes,
  maxAgeMs: number | undefined,
): string {
  // Without a lifetime: a browser-session cookie, dropped when the browser closes.
  if (maxAgeMs === undefined) return serialize(name, value, attributes);
  return serialize(name, value, {
    ...attributes,
    maxAge: Math.floor(maxAgeMs / 1000),
    expires: new Date(Date.now() + maxAgeMs),
  });
}

/** The `Set-Cookie` line that makes the client drop the cookie. */
export function clearedCookieLine(name: string, attributes: CookieAttributes): string {
  return serialize(name, '', { ...attributes, expires: EPOCH });
}

/**
 * The response's `Set-Cookie` lines with `line` in place of any earlier line of the same cookie
 * name: one response never tells the client two values of the session cookie.
 */
export function withCookieLine(
  existing: number | string | readonly string[] | undefined,
  name: string,
  line: string,
): string[] {
  const lines: readonly string[] =
    existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  const prefix = `${name}=`;
  return [...lines.filter((other) => !other.startsWith(prefix)), line];
}

/**
 * A port's `setCookie` and `clearCookie`, the same on every platform: each serialises its line
 * and hands it to `setCookieLine`, the platform's way of putting it in place of an earlier one.
 * A class, not closures made per request: the ports are made for every request.
 */
export abstract class CookieWritingPort implements Pick<
  SessionHttpPort,
  'setCookie' | 'clearCookie'
> {
  protected abstract setCookieLine(name: string, line: string): void;

  setCookie(
    name: string,
    value: string,
    attributes: CookieAttributes,
    maxAgeMs: number | undefined,
  ): void {
    this.setCookieLine(name, sessionCookieLine(name, value, attributes, maxAgeMs));
  }

  clearCookie(name: string, attributes: CookieAttributes): void {
    this.setCookieLine(name, clearedCookieLine(name, attributes));
  }
}
