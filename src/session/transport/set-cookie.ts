import { serialize } from 'cookie';
import type { CookieAttributes } from '../../security/cookie-attributes.js';
import { GenerationalMemo } from '../../security/generational-memo.js';
import type { SessionHttpPort } from './http-port.js';

const EPOCH = new Date(0);
const EPOCH_EXPIRES = `; Expires=${EPOCH.toUTCString()}`;

/**
 * Values written as they are: the session's tokens and sealed values (base64url and dots).
 * `encodeURIComponent` leaves these characters alone and the `cookie` package accepts them, so
 * the line is the one `serialize` would write.
 */
const PLAIN_VALUE = /^[\w.-]*$/;

/** What comes around the lifetime in a line with both `Max-Age` and `Expires`. */
interface LineFrame {
  /** `; Domain=…; Path=…`: the attributes `serialize` writes between `Max-Age` and `Expires`. */
  readonly middle: string;
  /** `; HttpOnly; Secure; SameSite=…`: those it writes after `Expires`. */
  readonly tail: string;
}

/**
 * Frames per cookie name and attributes, cut from one `serialize` call (which validates the name
 * and the attributes): a changing request re-sends its cookie with a new lifetime, and
 * serialising the whole line each time showed in its profile (bench/README.md). The attributes
 * come from the module's options, so there are few; the bound is a guard.
 */
const frames = new GenerationalMemo<LineFrame>(32);

function frameOf(name: string, attributes: CookieAttributes): LineFrame {
  const key = `${name}\0${attributes.domain ?? ''}\0${attributes.path}\0${attributes.httpOnly}\0${attributes.sameSite}\0${attributes.secure}`;
  return frames.remember(key, () => {
    const sample = serialize(name, '', { ...attributes, expires: EPOCH });
    const expiresAt = sample.indexOf(EPOCH_EXPIRES);
    return {
      middle: sample.slice(name.length + 1, expiresAt),
      tail: sample.slice(expiresAt + EPOCH_EXPIRES.length),
    };
  });
}

/** `Expires` has whole seconds: the last one written, as consecutive requests share it. */
let lastExpires = { second: Number.NaN, text: '' };

function expiresText(at: number): string {
  const second = Math.floor(at / 1000);
  if (second !== lastExpires.second) {
    lastExpires = { second, text: new Date(second * 1000).toUTCString() };
  }
  return lastExpires.text;
}

/**
 * The `Set-Cookie` line of the session cookie, as the `cookie` package serialises it (which
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
  const maxAge = Math.floor(maxAgeMs / 1000);
  const expires = Date.now() + maxAgeMs;
  if (!PLAIN_VALUE.test(value)) {
    return serialize(name, value, { ...attributes, maxAge, expires: new Date(expires) });
  }
  const { middle, tail } = frameOf(name, attributes);
  return `${name}=${value}; Max-Age=${maxAge}${middle}; Expires=${expiresText(expires)}${tail}`;
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
