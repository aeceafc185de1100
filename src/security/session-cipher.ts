import {
  AesGcmKeyring,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  MIN_AES_KEY_LENGTH,
} from './aes-gcm-keyring.js';
import { SessionDecryptionError } from './security.errors.js';

/** Marks a value as ours, version 1 of the format: `e1.<keyId>.<iv>.<ciphertext+tag>`. */
const FORMAT = 'e1';
/** The shortest key accepted: 32 characters, as for the signing secrets. */
export const MIN_ENCRYPTION_KEY_LENGTH = MIN_AES_KEY_LENGTH;

/**
 * Encryption at rest: AES-256-GCM with a keyring (the first key encrypts, every key decrypts).
 * The associated data binds a value to where it is stored: a ciphertext copied to another
 * session or field fails to open.
 */
export class SessionCipher {
  private readonly keyring: AesGcmKeyring;

  /** @param secrets newest first; each at least {@link MIN_ENCRYPTION_KEY_LENGTH} characters */
  constructor(secrets: readonly string[]) {
    this.keyring = new AesGcmKeyring(secrets, 'SessionCipher', 'encryption key');
  }

  /** Seals `plaintext` with the newest key, bound to `context` (e.g. session tag and field). */
  encrypt(plaintext: string, context: string): string {
    const { keyId, iv, sealed } = this.keyring.seal(plaintext, context);
    return `${FORMAT}.${keyId}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
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
    if (this.keyring.indexOf(id) < 0) throw SessionDecryptionError.unknownKey(id);
    const iv = Buffer.from(ivText, 'base64url');
    const sealed = Buffer.from(sealedText, 'base64url');
    if (iv.length !== GCM_IV_BYTES || sealed.length < GCM_TAG_BYTES) {
      throw SessionDecryptionError.malformed();
    }
    const plaintext = this.keyring.open({ keyId: id, iv, sealed }, context);
    if (plaintext === undefined) throw SessionDecryptionError.altered(id);
    return plaintext;
  }
}
