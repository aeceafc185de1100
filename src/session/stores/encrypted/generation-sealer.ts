import { SessionCipher } from '../../../security/session-cipher.js';
import { SessionDecryptionError } from '../../../security/security.errors.js';
import type { SessionKey } from '../../../security/session-token.js';
import type { MetadataChange } from '../session-store.js';

/** Metadata sealed like the data: who the user is, where they are, what the session is bound to. */
const SEALED_METADATA = ['principal', 'userAgent', 'clientIp', 'fingerprint'] as const;
type SealedField = (typeof SEALED_METADATA)[number];

/**
 * Seals and opens the values of one session as `sealed~generation`: AES-256-GCM (see
 * {@link SessionCipher}) bound to the session's tag, the token generation the value was written
 * under, and what the value is (a data or metadata field by name, the record, a link).
 */
export class GenerationSealer {
  private readonly cipher: SessionCipher;

  /** @param keys newest first: the first encrypts, every key decrypts */
  constructor(keys: readonly string[]) {
    this.cipher = new SessionCipher(keys);
  }

  /** `sealed~generation`, bound to the tag, the generation and what the value is. */
  seal(plaintext: string, key: SessionKey, what: string): string {
    const generation = generationOf(key);
    return `${this.cipher.encrypt(plaintext, contextOf(key, generation, what))}~${generation}`;
  }

  /** Opens a sealed value; with `accepted`, only one sealed for one of those generations. */
  open(
    value: string,
    key: SessionKey,
    what: string,
    accepted: ReadonlySet<string> | undefined,
  ): string {
    const tilde = value.lastIndexOf('~');
    if (tilde <= 0) throw SessionDecryptionError.malformed();
    const generation = value.slice(tilde + 1);
    // Authenticity first: a value of another session or field is reported as altered or copied.
    const plaintext = this.cipher.decrypt(value.slice(0, tilde), contextOf(key, generation, what));
    if (accepted && !accepted.has(generation)) throw SessionDecryptionError.otherGeneration();
    return plaintext;
  }

  /** The sealed metadata fields of `source`, opened. */
  openFields(
    key: SessionKey,
    source: Partial<Record<SealedField, string>>,
    accepted: ReadonlySet<string> | undefined,
  ): Partial<Record<SealedField, string>> {
    const opened: Partial<Record<SealedField, string>> = {};
    for (const name of SEALED_METADATA) {
      const value = source[name];
      if (value !== undefined) opened[name] = this.open(value, key, `meta\0${name}`, accepted);
    }
    return opened;
  }

  /** A metadata change with the fields to seal sealed for `key`. */
  sealMetadata(key: SessionKey, meta: MetadataChange | undefined): MetadataChange | undefined {
    if (!meta) return meta;
    const sealed: Partial<Record<SealedField, string | null>> = {};
    for (const name of SEALED_METADATA) {
      const value = meta[name];
      // `null` removes the field and `undefined` leaves it: neither is a value to seal.
      if (typeof value === 'string') sealed[name] = this.seal(value, key, `meta\0${name}`);
    }
    return { ...meta, ...sealed };
  }
}

/**
 * A key's token generation: the start of its secret hash (96 bits, base64url: no '~'), public like the hash
 * itself (it is in the Redis key name). Regeneration and rotation give a new one.
 */
export function generationOf(key: SessionKey): string {
  return key.secretHash.slice(0, 16);
}

/**
 * Associated data of a sealed value: format, tag, generation and what the value is (a data or
 * metadata field by name, the record, the signed-in time, a link). NUL separates the parts, and
 * no tag or generation (base64url) contains it.
 */
function contextOf(key: SessionKey, generation: string, what: string): string {
  return `nds2\0${key.tag}\0${generation}\0${what}`;
}
