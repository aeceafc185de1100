import { createHmac, timingSafeEqual } from 'node:crypto';
import { addressPrefix } from './client-address.js';
import { GenerationalMemo } from './generational-memo.js';
import type { ResolvedFingerprintOptions } from './resolved-security-options.js';
import { clientAddressOf, type SessionRequest } from './session-request.js';

/** Descriptions remembered at once: at most twice this many entries are held. */
const MEMO_CAPACITY = 2048;
/** Longer descriptions (oversized headers) are never remembered: the memo's size stays bounded. */
const MEMO_TEXT_LIMIT = 1024;

/**
 * HMACs of the request properties a session is bound to. Keyed by the cookie secrets (one
 * derived key each), so a fingerprint in a store dump reveals no User-Agent or address, and a
 * secret rotation does not unbind sessions: every secret verifies, the newest binds.
 */
export class SessionFingerprint {
  private readonly keys: readonly Buffer[];
  /**
   * HMACs of recent request descriptions: a client sends the same User-Agent on every request,
   * and a fresh HMAC cost 9 µs of self time per request in the sample app's profile.
   */
  private readonly macs = new GenerationalMemo<string>(MEMO_CAPACITY);

  constructor(
    private readonly options: ResolvedFingerprintOptions,
    secrets: readonly string[],
  ) {
    // A derived key: the fingerprint HMAC never shares a key with the cookie signature.
    this.keys = secrets.map((secret) =>
      createHmac('sha256', secret).update('nestjs-distributed-session:fingerprint').digest(),
    );
  }

  /** The fingerprint to store for this request (newest key). */
  of(request: SessionRequest): string {
    return this.hmac(0, describeRequest(request, this.options));
  }

  /** Whether `stored` is the fingerprint of this request under any key of the ring. */
  matches(request: SessionRequest, stored: string): boolean {
    const description = describeRequest(request, this.options);
    const given = Buffer.from(stored);
    return this.keys.some((_, index) => {
      const expected = Buffer.from(this.hmac(index, description));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  /** The HMAC of `text` under the key at `index` of the ring. */
  private hmac(index: number, text: string): string {
    const compute = () => createHmac('sha256', this.keys[index]!).update(text).digest('base64url');
    if (text.length > MEMO_TEXT_LIMIT) return compute();
    return this.macs.remember(`${index}\n${text}`, compute);
  }
}

/** The bound properties of a request as one string, each `name=value` on its own line. */
export function describeRequest(
  request: SessionRequest,
  options: ResolvedFingerprintOptions,
): string {
  const lines = options.properties.map((property) => {
    if (property === 'ip') {
      const address = clientAddressOf(request) ?? '';
      return `ip=${addressPrefix(address, options.ipv4PrefixLength, options.ipv6PrefixLength)}`;
    }
    return `${property}=${headerOf(request, property)}`;
  });
  if (options.custom) lines.push(`custom=${options.custom(request)}`);
  // JSON of each line: a header value cannot forge a line break between properties.
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

function headerOf(request: SessionRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}
