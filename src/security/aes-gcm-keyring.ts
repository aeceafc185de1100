import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** 96-bit random nonces, the size GCM is specified for (2^32 values per key is safe). */
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
/** The shortest key accepted: 32 characters, as for the signing secrets. */
export const MIN_AES_KEY_LENGTH = 32;

interface GcmKey {
  readonly id: string;
  readonly key: Buffer;
}

/** One sealed value: the key that sealed it, the nonce, and ciphertext followed by the tag. */
export interface GcmSealed {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly sealed: Buffer;
}

/**
 * AES-256-GCM keys from secrets, newest first: the first key seals, every key opens, so keys
 * rotate without losing data. A value names its key, so opening never tries keys in turn. The
 * associated data (`context`) binds a value to where it belongs: moved elsewhere, it fails.
 */
export class AesGcmKeyring {
  private readonly keys: readonly GcmKey[];

  /**
   * @param owner the name in the errors of bad secrets (`SessionCipher`, `CookieSeal`)
   * @param label the HKDF label of this use: another use of the same secret gets another key
   */
  constructor(secrets: readonly string[], owner: string, label: string) {
    if (secrets.length === 0) throw new Error(`${owner} needs at least one key`);
    if (secrets.some((secret) => secret.length < MIN_AES_KEY_LENGTH)) {
      throw new Error(`each ${owner} key must be at least ${MIN_AES_KEY_LENGTH} characters`);
    }
    this.keys = secrets.map((secret) => deriveKey(secret, label));
  }

  /** Seals `plaintext` with the newest key and a fresh nonce, bound to `context`. */
  seal(plaintext: string, context: string): GcmSealed {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(GCM_IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return { keyId: id, iv, sealed };
  }

  /** The position of the key named `keyId` (0 is the newest), or -1 when the ring lacks it. */
  indexOf(keyId: string): number {
    return this.keys.findIndex((candidate) => candidate.id === keyId);
  }

  /** The plaintext, or `undefined` when the value was altered, moved, or is too short. */
  open({ keyId, iv, sealed }: GcmSealed, context: string): string | undefined {
    const entry = this.keys[this.indexOf(keyId)];
    if (!entry || iv.length !== GCM_IV_BYTES || sealed.length < GCM_TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', entry.key, iv, {
      authTagLength: GCM_TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    try {
      const body = sealed.subarray(0, sealed.length - GCM_TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/**
 * A 256-bit key and a public id from a secret, by HKDF-SHA256 with labels of their own: the id
 * reveals nothing about the key, and a secret also used for signing yields a different key here.
 */
function deriveKey(secret: string, label: string): GcmKey {
  const derive = (info: string, bytes: number) =>
    Buffer.from(hkdfSync('sha256', secret, '', `nestjs-distributed-session ${info}`, bytes));
  return { id: derive(`${label} id`, 6).toString('base64url'), key: derive(label, 32) };
}
