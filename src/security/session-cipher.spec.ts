import { SessionDecryptionError } from './security.errors.js';
import { SessionCipher } from './session-cipher.js';

const KEY_A = 'encryption-key-A-0123456789abcdefghijklmn';
const KEY_B = 'encryption-key-B-0123456789abcdefghijklmn';

describe('SessionCipher', () => {
  const cipher = new SessionCipher([KEY_A]);

  it('opens what it sealed, with the same context', () => {
    const sealed = cipher.encrypt('{"cart":["book"]}', 'tag1\0cart');
    expect(sealed).not.toContain('book');
    expect(cipher.decrypt(sealed, 'tag1\0cart')).toBe('{"cart":["book"]}');
  });

  it('uses a fresh nonce per value, so equal plaintexts do not look equal', () => {
    expect(cipher.encrypt('same', 'c')).not.toBe(cipher.encrypt('same', 'c'));
  });

  it('refuses a value moved to another context (session or field)', () => {
    const sealed = cipher.encrypt('"admin"', 'tagA\0role');
    expect(() => cipher.decrypt(sealed, 'tagB\0role')).toThrow(SessionDecryptionError);
    expect(() => cipher.decrypt(sealed, 'tagA\0name')).toThrow(/altered, or copied/);
  });

  it('refuses an altered ciphertext, nonce or tag', () => {
    const sealed = cipher.encrypt('"secret value"', 'c');
    const [format, id, iv, body] = sealed.split('.') as [string, string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] = bytes[at]! ^ 1;
      return bytes.toString('base64url');
    };
    expect(() => cipher.decrypt([format, id, iv, flip(body, 0)].join('.'), 'c')).toThrow(
      SessionDecryptionError,
    );
    expect(() => cipher.decrypt([format, id, iv, flip(body, 20)].join('.'), 'c')).toThrow(
      SessionDecryptionError,
    );
    expect(() => cipher.decrypt([format, id, flip(iv, 3), body].join('.'), 'c')).toThrow(
      SessionDecryptionError,
    );
  });

  it('refuses values not in its format, plaintext JSON included', () => {
    expect(() => cipher.decrypt('{"a":1}', 'c')).toThrow(/not in the encrypted format/);
    expect(() => cipher.decrypt('e1.x.y', 'c')).toThrow(SessionDecryptionError);
    expect(() => cipher.decrypt('e1.id.AAAA.AAAA', 'c')).toThrow(SessionDecryptionError);
  });

  describe('key rotation', () => {
    const oldRing = new SessionCipher([KEY_A]);
    const rotated = new SessionCipher([KEY_B, KEY_A]);

    it('still opens values of an older key, and seals new ones with the newest', () => {
      const old = oldRing.encrypt('"kept"', 'c');
      expect(rotated.decrypt(old, 'c')).toBe('"kept"');
      const fresh = rotated.encrypt('"new"', 'c');
      expect(fresh.split('.')[1]).not.toBe(old.split('.')[1]);
      expect(new SessionCipher([KEY_B]).decrypt(fresh, 'c')).toBe('"new"');
      expect(() => oldRing.decrypt(fresh, 'c')).toThrow(/not in `encryption.keys`/);
    });

    it('names the key by an id that does not reveal it', () => {
      const id = oldRing.encrypt('x', 'c').split('.')[1]!;
      expect(id).toMatch(/^[A-Za-z0-9_-]{8}$/);
      expect(KEY_A).not.toContain(id);
    });
  });

  it('refuses an empty ring and short keys', () => {
    expect(() => new SessionCipher([])).toThrow(/at least one key/);
    expect(() => new SessionCipher(['short'])).toThrow(/at least 32 characters/);
  });
});
