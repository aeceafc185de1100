import { createHmac, timingSafeEqual } from 'node:crypto';
import { GenerationalMemo } from './generational-memo.js';

/** The shortest secret accepted: 32 characters, so a random secret carries at least 128 bits. */
export const MIN_SECRET_LENGTH = 32;

/** A value that verified, and whether it was signed by an older key (so it should be re-signed). */
export interface VerifiedValue {
  readonly value: string;
  readonly signedWithOldKey: boolean;
}

/**
 * Signed values whose verification is remembered: a client sends the same cookie on every
 * request, and an HMAC costs more per request than everything else the cookie check does
 * (bench/README.md). Only values that verified are kept, so forged values cannot fill it.
 */
const VERIFIED_MEMO_CAPACITY = 4096;

/**
 * Signatures made or verified with the newest secret, remembered: a request that changes its
 * session re-sends the cookie with a new lifetime, signing the same token again (an HMAC of
 * ~10 µs in the change-one-key profile, bench/README.md). Only the module's own tokens are signed.
 */
const SIGNED_MEMO_CAPACITY = 4096;

/**
 * HMAC-SHA256 signatures with a keyring: the newest secret signs, every listed secret verifies,
 * so secrets rotate without signing anybody out.
 */
export class SigningKeyring {
  private readonly keys: readonly Buffer[];
  /** `verify` is a pure function of the ring's fixed secrets and its input: safe to memoise. */
  private readonly verified = new GenerationalMemo<VerifiedValue>(VERIFIED_MEMO_CAPACITY);
  /** `sign` is as pure: value → `value.signature` with the newest secret. */
  private readonly signed = new GenerationalMemo<string>(SIGNED_MEMO_CAPACITY);

  /** @param secrets newest first; each at least {@link MIN_SECRET_LENGTH} characters */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('SigningKeyring needs at least one secret');
    if (secrets.some((secret) => secret.length < MIN_SECRET_LENGTH)) {
      throw new Error(
        `each SigningKeyring secret must be at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    this.keys = secrets.map((secret) => Buffer.from(secret, 'utf8'));
  }

  /** `value.signature`, signed with the newest secret. */
  sign(value: string): string {
    return this.signed.remember(value, () => `${value}.${this.signatureOf(value, this.keys[0]!)}`);
  }

  /** The value inside `signed`, or `undefined` when no secret of the ring made its signature. */
  verify(signed: string): VerifiedValue | undefined {
    return this.verified.remember(signed, () => this.verifyOnce(signed));
  }

  private verifyOnce(signed: string): VerifiedValue | undefined {
    const dot = signed.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const value = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1), 'utf8');
    for (let index = 0; index < this.keys.length; index++) {
      const expected = Buffer.from(this.signatureOf(value, this.keys[index]!), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        // The newest secret made it: re-sending this token needs no new HMAC.
        if (index === 0) this.signed.set(value, signed);
        return { value, signedWithOldKey: index > 0 };
      }
    }
    return undefined;
  }

  private signatureOf(value: string, key: Buffer): string {
    return createHmac('sha256', key).update(value).digest('base64url');
  }
}
