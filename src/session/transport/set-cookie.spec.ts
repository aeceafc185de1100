import { serialize } from 'cookie';
import type { CookieAttributes } from '../../security/cookie-attributes.js';
import { sessionCookieLine } from './set-cookie.js';

const TOKEN = 'AbCdEfGhIj-_' + 'x'.repeat(30) + '.sig-_0123456789';

const ATTRIBUTES: readonly CookieAttributes[] = [
  { path: '/', httpOnly: true, sameSite: 'lax', secure: false },
  { path: '/', httpOnly: true, sameSite: 'strict', secure: true },
  { path: '/api', httpOnly: false, sameSite: 'none', secure: true },
  { domain: 'example.com', path: '/', httpOnly: true, sameSite: 'lax', secure: true },
  { domain: '.shop.example.com', path: '/cart', httpOnly: true, sameSite: 'lax', secure: false },
];

/** The line as the `cookie` package serialises it with `Max-Age` and `Expires`. */
function serialized(name: string, value: string, attributes: CookieAttributes, maxAgeMs: number) {
  return serialize(name, value, {
    ...attributes,
    maxAge: Math.floor(maxAgeMs / 1000),
    expires: new Date(Date.now() + maxAgeMs),
  });
}

describe('sessionCookieLine', () => {
  // The line is cut from frames kept per name and attributes: it must stay the line `serialize`
  // writes, whatever the attributes and their order of use.
  it.each(ATTRIBUTES.map((attributes) => [JSON.stringify(attributes), attributes] as const))(
    'writes what serialize writes for %s',
    (_label, attributes) => {
      for (const [name, maxAgeMs] of [
        ['sid', 1_800_000],
        ['__Host-session', 999],
        ['sid', 86_400_000 * 30],
      ] as const) {
        // Taken twice around the call: a second boundary between them would change Expires.
        const before = serialized(name, TOKEN, attributes, maxAgeMs);
        const line = sessionCookieLine(name, TOKEN, attributes, maxAgeMs);
        const after = serialized(name, TOKEN, attributes, maxAgeMs);
        expect([before, after]).toContain(line);
      }
    },
  );

  it('keeps frames of different attributes apart', () => {
    const [lax, strict] = [ATTRIBUTES[0]!, ATTRIBUTES[1]!];
    const first = sessionCookieLine('sid', TOKEN, lax, 60_000);
    const second = sessionCookieLine('sid', TOKEN, strict, 60_000);
    expect(first).toContain('SameSite=Lax');
    expect(first).not.toContain('Secure');
    expect(second).toContain('; Secure; SameSite=Strict');
  });

  it('encodes a value outside the token alphabet as serialize does', () => {
    const value = 'a b;c=d/é';
    const line = sessionCookieLine('sid', value, ATTRIBUTES[0]!, 60_000);
    expect(line.startsWith(`sid=${encodeURIComponent(value)}; Max-Age=60; Path=/; Expires=`)).toBe(
      true,
    );
  });

  it('writes no lifetime for a browser-session cookie', () => {
    expect(sessionCookieLine('sid', TOKEN, ATTRIBUTES[0]!, undefined)).toBe(
      `sid=${TOKEN}; Path=/; HttpOnly; SameSite=Lax`,
    );
  });

  it('still refuses a name or a path that would break the header', () => {
    expect(() => sessionCookieLine('bad name', TOKEN, ATTRIBUTES[0]!, 60_000)).toThrow(TypeError);
    const badPath = { ...ATTRIBUTES[0]!, path: '/a;b' };
    expect(() => sessionCookieLine('sid', TOKEN, badPath, 60_000)).toThrow(TypeError);
  });

  it('writes Expires whole seconds after now, as Max-Age says', () => {
    const line = sessionCookieLine('sid', TOKEN, ATTRIBUTES[0]!, 120_000);
    const expires = Date.parse(/Expires=([^;]+)/.exec(line)![1]!);
    expect(expires % 1000).toBe(0);
    expect(Math.abs(expires - (Date.now() + 120_000))).toBeLessThan(2_000);
  });
});
