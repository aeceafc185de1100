import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Version 1 of the sealed cookie format: `c1.<keyId>.<base64url(iv | ciphertext | tag)>`. */
const FORMAT = 'c1';
/** The shortest key accepted: 32 characters, as for the signing secrets. */
export const MIN_SEAL_KEY_LENGTH = 32;
/** 96-bit random nonces, the size GCM is specified for. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface SealKey {
  readonly id: string;
  readonly key: Buffer;
}

/** What {@link CookieSeal.unseal} found in a valid seal. */
export interface UnsealedValue {
  readonly plaintext: string;
  /** Sealed by a key other than the newest: the caller should seal it again. */
  readonly sealedWithOldKey: boolean;
}

/**
 * AES-256-GCM for whole sessions in a cookie, with a keyring: the first key seals, every key
 * opens, so keys rotate without signing anybody out. The seal names its key, so opening never
 * tries keys in turn. The associated data binds a seal to its context (the cookie name): a seal
 * moved to another cookie of the same app fails to open.
 */
export class CookieSeal {
  private readonly keys: readonly SealKey[];

  /** @param secrets newest first; each at least {@link MIN_SEAL_KEY_LENGTH} characters */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('CookieSeal needs at least one key');
    if (secrets.some((secret) => secret.length < MIN_SEAL_KEY_LENGTH)) {
      throw new Error(`each CookieSeal key must be at least ${MIN_SEAL_KEY_LENGTH} characters`);
    }
    this.keys = secrets.map(deriveKey);
  }

  /** Seals `plaintext` with the newest key, bound to `context`. */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([
      iv,
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${FORMAT}.${id}.${body.toString('base64url')}`;
  }

  /**
   * The plaintext of a seal made by {@link seal} with the same `context`; `undefined` when the
   * value is not a seal, names no key of the ring, or was altered or moved. Never throws: a
   * cookie is client input.
   */
  unseal(value: string, context: string): UnsealedValue | undefined {
    const [format, id, bodyText, ...rest] = value.split('.');
    if (format !== FORMAT || !id || !bodyText || rest.length > 0) return undefined;
    const index = this.keys.findIndex((candidate) => candidate.id === id);
    if (index < 0) return undefined;
    const body = Buffer.from(bodyText, 'base64url');
    // Buffer.from drops characters outside base64url instead of failing: a changed character
    // must not decode to the same bytes, so the text must be canonical.
    if (body.length < IV_BYTES + TAG_BYTES || body.toString('base64url') !== bodyText) {
      return undefined;
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.keys[index]!.key,
      body.subarray(0, IV_BYTES),
      {
        authTagLength: TAG_BYTES,
      },
    );
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      const ciphertext = body.subarray(IV_BYTES, body.length - TAG_BYTES);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString(
        'utf8',
      );
      return { plaintext, sealedWithOldKey: index > 0 };
    } catch {
      return undefined;
    }
  }
}

/**
 * A 256-bit key and a public id from a secret, by HKDF-SHA256 with labels of their own: the id
 * reveals nothing about the key, and a secret also used for signing or encryption at rest
 * yields a different key here.
 */
function deriveKey(secret: string): SealKey {
  const derive = (info: string, bytes: number) =>
    Buffer.from(hkdfSync('sha256', secret, '', `nestjs-distributed-session ${info}`, bytes));
  return {
    id: derive('cookie seal key id', 6).toString('base64url'),
    key: derive('cookie seal key', 32),
  };
}
