import { CookieSeal } from '../../security/cookie-seal.js';
import { decodeSealedSession, encodeSealedSession } from './sealed-session.js';
import { createSessionToken } from '../../security/session-token.js';

const KEY_A = 'cookie-seal-key-A-0123456789abcdefghijklmn';
const KEY_B = 'cookie-seal-key-B-0123456789abcdefghijklmn';

describe('CookieSeal', () => {
  it('opens what it sealed, with the same context', () => {
    const seal = new CookieSeal([KEY_A]);
    const sealed = seal.seal('{"a":1}', 'sid');
    expect(sealed).toMatch(/^c1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+$/);
    expect(seal.unseal(sealed, 'sid')).toEqual({ plaintext: '{"a":1}', sealedWithOldKey: false });
  });

  it('uses a fresh nonce per seal: the same plaintext never seals the same way', () => {
    const seal = new CookieSeal([KEY_A]);
    expect(seal.seal('same', 'sid')).not.toBe(seal.seal('same', 'sid'));
  });

  it('refuses a seal moved to another context (cookie name)', () => {
    const seal = new CookieSeal([KEY_A]);
    expect(seal.unseal(seal.seal('x', 'sid'), 'other')).toBeUndefined();
  });

  it('refuses every one-character change', () => {
    const seal = new CookieSeal([KEY_A]);
    const sealed = seal.seal('{"principal":"alice"}', 'sid');
    for (let index = 0; index < sealed.length; index++) {
      const char = sealed[index] === 'A' ? 'B' : 'A';
      const changed = sealed.slice(0, index) + char + sealed.slice(index + 1);
      expect([index, seal.unseal(changed, 'sid')]).toEqual([index, undefined]);
    }
  });

  it('refuses truncated, extended and foreign values without throwing', () => {
    const seal = new CookieSeal([KEY_A]);
    const sealed = seal.seal('x', 'sid');
    for (const value of [
      '',
      'c1',
      'c1..',
      sealed.slice(0, -1),
      `${sealed}A`,
      `${sealed}.x`,
      'e1.a.b.c',
    ]) {
      expect(seal.unseal(value, 'sid')).toBeUndefined();
    }
  });

  it('rotates keys: the newest seals, older ones still open and are reported as old', () => {
    const old = new CookieSeal([KEY_A]);
    const rotated = new CookieSeal([KEY_B, KEY_A]);
    expect(rotated.unseal(old.seal('x', 'sid'), 'sid')).toEqual({
      plaintext: 'x',
      sealedWithOldKey: true,
    });
    expect(old.unseal(rotated.seal('x', 'sid'), 'sid')).toBeUndefined();
    expect(rotated.unseal(rotated.seal('x', 'sid'), 'sid')?.sealedWithOldKey).toBe(false);
  });

  it('refuses short keys and an empty ring', () => {
    expect(() => new CookieSeal([])).toThrow(/at least one key/);
    expect(() => new CookieSeal(['short'])).toThrow(/at least 32 characters/);
  });
});

describe('sealed session JSON', () => {
  const meta = { version: 3, createdAt: 1, lastAccessAt: 2, absoluteDeadline: 9, fence: 0 };

  it('round-trips token, metadata and data; data JSON is embedded, not escaped again', () => {
    const token = createSessionToken();
    const data = { cart: '["book",{"n":1}]', when: '{"$$date":"2025-01-01T00:00:00.000Z"}' };
    const json = encodeSealedSession({ token, meta: { ...meta, principal: '{"id":"a"}' }, data });
    expect(json).toContain('"cart":["book",{"n":1}]');
    expect(decodeSealedSession(json)).toEqual({
      token,
      meta: { ...meta, principal: '{"id":"a"}' },
      data,
    });
  });

  it('gives undefined for a wrong shape', () => {
    const token = createSessionToken();
    const good = JSON.parse(encodeSealedSession({ token, meta, data: {} })) as Record<
      string,
      unknown
    >;
    for (const bad of [
      'nope',
      '[]',
      JSON.stringify({ ...good, t: 'x' }),
      JSON.stringify({ ...good, c: '1' }),
      JSON.stringify({ ...good, d: [] }),
    ]) {
      expect(decodeSealedSession(bad)).toBeUndefined();
    }
  });
});
