import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SessionDecryptionError } from './security.errors.js';

/** Marks a value as ours, version 1 of the format: `e1.<keyId>.<iv>.<ciphertext+tag>`. */
const FORMAT = 'e1';
/** The shortest key accepted: 32 characters, as for the signing secrets. */
export const MIN_ENCRYPTION_KEY_LENGTH = 32;
/** 96-bit nonces, the size GCM is specified for; random per value (2^32 values per key is safe). */
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface CipherKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * AES-256-GCM with a keyring: the first key encrypts, every key decrypts. Each value names the
 * key that sealed it, so decryption never tries keys in turn. The associated data binds a value
 * to where it is stored: a ciphertext copied to another session or field fails to open.
 */
export class SessionCipher {
  private readonly keys: readonly CipherKey[];

  /** @param secrets newest first; each at least {@link MIN_ENCRYPTION_KEY_LENGTH} characters */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('SessionCipher needs at least one key');
    if (secrets.some((secret) => secret.length < MIN_ENCRYPTION_KEY_LENGTH)) {
      throw new Error(
        `each SessionCipher key must be at least ${MIN_ENCRYPTION_KEY_LENGTH} characters`,
      );
    }
    this.keys = secrets.map(deriveKey);
  }

  /** Seals `plaintext` with the newest key, bound to `context` (e.g. session tag and field). */
  encrypt(plaintext: string, context: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${FORMAT}.${id}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /**
   * Opens a value sealed by {@link encrypt} with the same `context`; raises
   * `SessionDecryptionError` when it is not ours, names no key of the ring, or was altered or moved.
   */
  decrypt(value: string, context: string): string {
    const [format, id, ivText, sealedText, ...rest] = value.split('.');
    if (format !== FORMAT || !id || !ivText || !sealedText || rest.length > 0) {
      throw SessionDecryptionError.malformed();
    }
    const entry = this.keys.find((candidate) => candidate.id === id);
    if (!entry) throw SessionDecryptionError.unknownKey(id);
    const iv = Buffer.from(ivText, 'base64url');
    const sealed = Buffer.from(sealedText, 'base64url');
    if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES)
      throw SessionDecryptionError.malformed();
    const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      const body = sealed.subarray(0, sealed.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw SessionDecryptionError.altered(id);
    }
  }
}

/**
 * A 256-bit key and a public id from a secret. HKDF with distinct labels: the id reveals
 * nothing about the key, and the same secret used elsewhere (e.g. for signing) yields another key.
 */
function deriveKey(secret: string): CipherKey {
  const derive = (info: string, bytes: number) =>
    Buffer.from(hkdfSync('sha256', secret, '', `nestjs-distributed-session ${info}`, bytes));
  return {
    id: derive('encryption key id', 6).toString('base64url'),
    key: derive('encryption key', 32),
  };
}
