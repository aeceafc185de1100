import {
  AesGcmKeyring,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  MIN_AES_KEY_LENGTH,
} from './aes-gcm-keyring.js';

/** Version 1 of the sealed cookie format: `c1.<keyId>.<base64url(iv | ciphertext | tag)>`. */
const FORMAT = 'c1';
/** The shortest key accepted: 32 characters, as for the signing secrets. */
export const MIN_SEAL_KEY_LENGTH = MIN_AES_KEY_LENGTH;

/** What {@link CookieSeal.unseal} found in a valid seal. */
export interface UnsealedValue {
  readonly plaintext: string;
  /** Sealed by a key other than the newest: the caller should seal it again. */
  readonly sealedWithOldKey: boolean;
}

/**
 * Whole sessions in a cookie, sealed with AES-256-GCM and a keyring: keys rotate without
 * signing anybody out. The associated data binds a seal to its context (the cookie name): a seal
 * moved to another cookie of the same app fails to open.
 */
export class CookieSeal {
  private readonly keyring: AesGcmKeyring;

  /** @param secrets newest first; each at least {@link MIN_SEAL_KEY_LENGTH} characters */
  constructor(secrets: readonly string[]) {
    this.keyring = new AesGcmKeyring(secrets, 'CookieSeal', 'cookie seal key');
  }

  /** Seals `plaintext` with the newest key, bound to `context`. */
  seal(plaintext: string, context: string): string {
    const { keyId, iv, sealed } = this.keyring.seal(plaintext, context);
    return `${FORMAT}.${keyId}.${Buffer.concat([iv, sealed]).toString('base64url')}`;
  }

  /**
   * The plaintext of a seal made by {@link seal} with the same `context`; `undefined` when the
   * value is not a seal, names no key of the ring, or was altered or moved. Never throws: a
   * cookie is client input.
   */
  unseal(value: string, context: string): UnsealedValue | undefined {
    const [format, id, bodyText, ...rest] = value.split('.');
    if (format !== FORMAT || !id || !bodyText || rest.length > 0) return undefined;
    const index = this.keyring.indexOf(id);
    if (index < 0) return undefined;
    const body = Buffer.from(bodyText, 'base64url');
    // Buffer.from drops characters outside base64url instead of failing: a changed character
    // must not decode to the same bytes, so the text must be canonical.
    if (body.length < GCM_IV_BYTES + GCM_TAG_BYTES || body.toString('base64url') !== bodyText) {
      return undefined;
    }
    const iv = body.subarray(0, GCM_IV_BYTES);
    const plaintext = this.keyring.open(
      { keyId: id, iv, sealed: body.subarray(GCM_IV_BYTES) },
      context,
    );
    return plaintext === undefined ? undefined : { plaintext, sealedWithOldKey: index > 0 };
  }
}
