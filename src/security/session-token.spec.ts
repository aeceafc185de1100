import { createHash } from 'node:crypto';
import {
  createSessionToken,
  formatSessionToken,
  parseSessionToken,
  renewSessionToken,
  sessionKeyOf,
  type SessionToken,
} from './session-token.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const TAG = 'AbCdEfGhIj-_';
const SECRET = 'A'.repeat(20) + 'b'.repeat(20) + '0_-';
const VALID = `${TAG}.${SECRET}`;

describe('createSessionToken', () => {
  it('makes a 12-character tag and a 43-character secret, both base64url', () => {
    const token = createSessionToken();
    expect(token.tag).toHaveLength(12);
    expect(token.secret).toHaveLength(43);
    expect(token.tag).toMatch(BASE64URL);
    expect(token.secret).toMatch(BASE64URL);
  });

  it('makes 1000 distinct tokens, secrets and tags', () => {
    const tokens = Array.from({ length: 1000 }, () => createSessionToken());
    expect(new Set(tokens.map(formatSessionToken)).size).toBe(1000);
    expect(new Set(tokens.map((token) => token.secret)).size).toBe(1000);
    expect(new Set(tokens.map((token) => token.tag)).size).toBe(1000);
  });
});

describe('renewSessionToken', () => {
  it('keeps the tag and replaces the secret with a fresh valid one', () => {
    const token = createSessionToken();
    const renewed = renewSessionToken(token);
    expect(renewed.tag).toBe(token.tag);
    expect(renewed.secret).not.toBe(token.secret);
    expect(renewed.secret).toHaveLength(43);
    expect(renewed.secret).toMatch(BASE64URL);
  });

  it('gives a different secret on each renewal', () => {
    const token = createSessionToken();
    const secrets = new Set(Array.from({ length: 50 }, () => renewSessionToken(token).secret));
    expect(secrets.size).toBe(50);
  });
});

describe('formatSessionToken / parseSessionToken', () => {
  it('formats as tag.secret', () => {
    expect(formatSessionToken({ tag: TAG, secret: SECRET })).toBe(VALID);
  });

  it('parses a well-formed token', () => {
    expect(parseSessionToken(VALID)).toEqual({ tag: TAG, secret: SECRET });
  });

  it('round-trips created tokens', () => {
    for (let i = 0; i < 100; i++) {
      const token = createSessionToken();
      expect(parseSessionToken(formatSessionToken(token))).toEqual(token);
    }
  });

  it.each([
    ['empty string', ''],
    ['just a dot', '.'],
    ['tag one short', `${TAG.slice(1)}.${SECRET}`],
    ['tag one long', `${TAG}x.${SECRET}`],
    ['secret one short', `${TAG}.${SECRET.slice(1)}`],
    ['secret one long', `${TAG}.${SECRET}x`],
    ['tag 11 and secret 44 (total length right)', `${TAG.slice(1)}.${SECRET}x`],
    ['tag 13 and secret 42 (total length right)', `${TAG}x.${SECRET.slice(1)}`],
    ['missing dot', `${TAG}${SECRET}`],
    ['missing dot, length of a valid token', `${TAG}x${SECRET}`],
    ['extra dot inside the secret', `${TAG}.${SECRET.slice(0, 20)}.${SECRET.slice(21)}`],
    ['extra dot at the end', `${TAG}.${SECRET.slice(1)}.`],
    ['dot as first character', `.${TAG.slice(1)}x${SECRET}`],
    ['two dots in a row', `${TAG}..${SECRET.slice(1)}`],
    ['"+" in the tag (base64, not base64url)', `${TAG.slice(1)}+.${SECRET}`],
    ['"/" in the secret (base64, not base64url)', `${TAG}.${SECRET.slice(1)}/`],
    ['"=" padding in the secret', `${TAG}.${SECRET.slice(1)}=`],
    ['a space in the tag', `${TAG.slice(1)} .${SECRET}`],
    ['a non-ASCII letter in the secret', `${TAG}.${SECRET.slice(1)}é`],
    ['a NUL in the secret', `${TAG}.${SECRET.slice(1)}\u0000`],
    ['a trailing newline', `${TAG}.${SECRET.slice(1)}\n`],
    ['10 KB of junk', 'x'.repeat(10 * 1024)],
    ['10 KB of junk starting with a valid token', VALID + '.'.repeat(10 * 1024 - VALID.length)],
  ])('rejects %s', (_name, value) => {
    expect(parseSessionToken(value)).toBeUndefined();
  });
});

describe('sessionKeyOf', () => {
  const token: SessionToken = { tag: TAG, secret: SECRET };

  it('keeps the tag and is deterministic', () => {
    const first = sessionKeyOf(token);
    const second = sessionKeyOf({ tag: TAG, secret: SECRET });
    expect(first.tag).toBe(TAG);
    expect(second).toEqual(first);
  });

  it('is the base64url SHA-256 of the secret', () => {
    const key = sessionKeyOf(token);
    expect(key.secretHash).toBe(createHash('sha256').update(SECRET).digest('base64url'));
    expect(key.secretHash).toHaveLength(43);
    expect(key.secretHash).toMatch(BASE64URL);
  });

  it('does not contain the secret', () => {
    for (let i = 0; i < 20; i++) {
      const created = createSessionToken();
      const key = sessionKeyOf(created);
      expect(key.secretHash).not.toBe(created.secret);
      expect(key.secretHash).not.toContain(created.secret);
      expect(JSON.stringify(key)).not.toContain(created.secret);
    }
  });

  it('differs for different secrets under the same tag', () => {
    const other = sessionKeyOf({ tag: TAG, secret: SECRET.slice(0, 42) + 'x' });
    expect(other.tag).toBe(TAG);
    expect(other.secretHash).not.toBe(sessionKeyOf(token).secretHash);

    const created = createSessionToken();
    const renewed = renewSessionToken(created);
    expect(sessionKeyOf(renewed).tag).toBe(sessionKeyOf(created).tag);
    expect(sessionKeyOf(renewed).secretHash).not.toBe(sessionKeyOf(created).secretHash);
  });
});
