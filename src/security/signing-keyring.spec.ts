import { createHmac } from 'node:crypto';
import { MIN_SECRET_LENGTH, SigningKeyring } from './signing-keyring.js';

const OLD = 'old-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const NEW = 'new-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const STRANGER = 'stranger-secret-0123456789abcdefghijklmnopqrstuv';
const TOKEN = 'AbCdEfGhIj-_.' + 'A'.repeat(20) + 'b'.repeat(20) + '0_-';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe('SigningKeyring', () => {
  it('exports a minimum secret length of 32', () => {
    expect(MIN_SECRET_LENGTH).toBe(32);
  });

  it('signs as value.HMAC-SHA256(base64url) with the newest secret', () => {
    const ring = new SigningKeyring([NEW, OLD]);
    const expected = createHmac('sha256', NEW).update(TOKEN).digest('base64url');
    expect(ring.sign(TOKEN)).toBe(`${TOKEN}.${expected}`);
  });

  it.each([
    ['a session token with a dot', TOKEN],
    ['a plain word', 'hello'],
    ['several dots', 'a.b.c.d'],
    ['non-ASCII text', 'héllo ✓ 日本'],
  ])('round-trips %s', (_name, value) => {
    const ring = new SigningKeyring([NEW]);
    expect(ring.verify(ring.sign(value))).toEqual({ value, signedWithOldKey: false });
  });

  it('is deterministic for the same value and secret', () => {
    expect(new SigningKeyring([NEW]).sign(TOKEN)).toBe(new SigningKeyring([NEW]).sign(TOKEN));
    expect(new SigningKeyring([NEW]).sign(TOKEN)).not.toBe(new SigningKeyring([OLD]).sign(TOKEN));
  });

  it('rejects the value when any single character is changed', () => {
    const ring = new SigningKeyring([NEW]);
    const signed = ring.sign(TOKEN);
    expect(signed.length).toBeGreaterThan(TOKEN.length + 40);
    for (let index = 0; index < signed.length; index++) {
      const replacement = signed[index] === 'A' ? 'B' : 'A';
      const tampered = replaceAt(signed, index, replacement);
      expect(tampered).not.toBe(signed);
      expect([index, ring.verify(tampered)]).toEqual([index, undefined]);
    }
  });

  it('still rejects every tampered copy of a value it verified (and remembered) before', () => {
    const ring = new SigningKeyring([NEW]);
    const signed = ring.sign(TOKEN);
    expect(ring.verify(signed)).toEqual({ value: TOKEN, signedWithOldKey: false });
    expect(ring.verify(signed)).toEqual({ value: TOKEN, signedWithOldKey: false });
    for (let index = 0; index < signed.length; index++) {
      const tampered = replaceAt(signed, index, signed[index] === 'A' ? 'B' : 'A');
      expect([index, ring.verify(tampered)]).toEqual([index, undefined]);
    }
  });

  it('remembers per keyring: a ring without the secret refuses what another ring verified', () => {
    const signed = new SigningKeyring([NEW]).sign(TOKEN);
    const ring = new SigningKeyring([NEW]);
    expect(ring.verify(signed)?.value).toBe(TOKEN);
    expect(new SigningKeyring([STRANGER]).verify(signed)).toBeUndefined();
    // An old-key signature stays marked as such when it is answered from memory.
    const rotated = new SigningKeyring([STRANGER, NEW]);
    expect(rotated.verify(signed)).toEqual({ value: TOKEN, signedWithOldKey: true });
    expect(rotated.verify(signed)).toEqual({ value: TOKEN, signedWithOldKey: true });
  });

  it('rejects a signature with a changed final character that decodes to the same bytes', () => {
    const ring = new SigningKeyring([NEW]);
    const signed = ring.sign(TOKEN);
    const last = signed[signed.length - 1]!;
    // The last of 43 base64url characters carries 4 bits and 2 unused bits: flipping the lowest
    // bit leaves the decoded bytes unchanged, but the text differs.
    const twin = ALPHABET[ALPHABET.indexOf(last) ^ 1]!;
    const tampered = replaceAt(signed, signed.length - 1, twin);
    const signatureOf = (text: string): Buffer =>
      Buffer.from(text.slice(text.lastIndexOf('.') + 1), 'base64url');
    expect(signatureOf(tampered).equals(signatureOf(signed))).toBe(true);
    expect(ring.verify(tampered)).toBeUndefined();
  });

  it('rejects extra or missing characters in the signature', () => {
    const ring = new SigningKeyring([NEW]);
    const signed = ring.sign(TOKEN);
    expect(ring.verify(`${signed}A`)).toBeUndefined();
    expect(ring.verify(signed.slice(0, -1))).toBeUndefined();
    expect(ring.verify(`${signed}.`)).toBeUndefined();
    expect(ring.verify(`${TOKEN}.`)).toBeUndefined();
  });

  it('rejects a signature made with a secret not in the ring', () => {
    const foreign = new SigningKeyring([STRANGER]).sign(TOKEN);
    expect(new SigningKeyring([NEW, OLD]).verify(foreign)).toBeUndefined();
  });

  it('rejects a valid signature moved onto another value', () => {
    const ring = new SigningKeyring([NEW]);
    const signature = ring.sign('alice').split('.')[1]!;
    expect(ring.verify(`bob.${signature}`)).toBeUndefined();
  });

  describe('rotation', () => {
    const signedByOld = new SigningKeyring([OLD]).sign(TOKEN);

    it('verifies a value signed by the old secret in ring [new, old], flagged as old', () => {
      expect(new SigningKeyring([NEW, OLD]).verify(signedByOld)).toEqual({
        value: TOKEN,
        signedWithOldKey: true,
      });
    });

    it('flags every key after the first as old', () => {
      const third = 'third-secret-0123456789abcdefghijklmnopqrstuvw';
      const ring = new SigningKeyring([NEW, third, OLD]);
      expect(ring.verify(signedByOld)?.signedWithOldKey).toBe(true);
      expect(ring.verify(new SigningKeyring([third]).sign(TOKEN))?.signedWithOldKey).toBe(true);
      expect(ring.verify(ring.sign(TOKEN))?.signedWithOldKey).toBe(false);
    });

    it('rejects a value signed by the old secret once it leaves the ring', () => {
      expect(new SigningKeyring([NEW]).verify(signedByOld)).toBeUndefined();
    });

    it('signs with the new secret, which ring [old] does not accept', () => {
      const signedByNew = new SigningKeyring([NEW, OLD]).sign(TOKEN);
      expect(signedByNew).not.toBe(signedByOld);
      expect(new SigningKeyring([NEW]).verify(signedByNew)).toEqual({
        value: TOKEN,
        signedWithOldKey: false,
      });
      expect(new SigningKeyring([OLD]).verify(signedByNew)).toBeUndefined();
    });

    // Verified signatures are remembered for re-signing: only the newest secret's may be.
    it('re-signs a value it verified under the old secret with the new one', () => {
      const ring = new SigningKeyring([NEW, OLD]);
      expect(ring.verify(signedByOld)?.signedWithOldKey).toBe(true);
      const expected = createHmac('sha256', NEW).update(TOKEN).digest('base64url');
      expect(ring.sign(TOKEN)).toBe(`${TOKEN}.${expected}`);
    });

    it('signs a value it verified under the newest secret to the same string', () => {
      const signedByNew = new SigningKeyring([NEW]).sign(TOKEN);
      const ring = new SigningKeyring([NEW, OLD]);
      expect(ring.verify(signedByNew)?.signedWithOldKey).toBe(false);
      expect(ring.sign(TOKEN)).toBe(signedByNew);
    });
  });

  it.each([
    ['no dot', 'abcdefghijklmnop'],
    ['leading dot', '.abcdefghijklmnop'],
    ['only a dot', '.'],
    ['empty string', ''],
  ])('rejects %s', (_name, value) => {
    expect(new SigningKeyring([NEW]).verify(value)).toBeUndefined();
  });

  it('rejects a correct signature of the empty value behind a leading dot', () => {
    const ring = new SigningKeyring([NEW]);
    const signatureOfEmpty = createHmac('sha256', NEW).update('').digest('base64url');
    expect(ring.verify(`.${signatureOfEmpty}`)).toBeUndefined();
  });

  it('throws on an empty ring', () => {
    expect(() => new SigningKeyring([])).toThrow('SigningKeyring needs at least one secret');
  });
});
