import { randomFillSync } from 'node:crypto';

/** Bytes drawn from the OS CSPRNG at once: one call serves ~100 session tokens or lock values. */
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `bytes` random bytes (at most 4,096) from the OS CSPRNG, base64url-encoded. The bytes come from
 * a pool refilled 4 KB at a time, as Node's `randomUUID()` does: a separate `randomBytes()` call
 * per session token or lock value cost 3-4 µs here (31 µs of self time per locked request under
 * the profiler), the pool about 0.15 µs. Every byte is handed out once, then overwritten.
 */
export function randomBase64url(bytes: number): string {
  if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at once`);
  if (offset + bytes > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    offset = 0;
  }
  const value = pool.toString('base64url', offset, offset + bytes);
  // Used bytes are zeroed: a later dump of this process' heap does not reveal issued tokens.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return value;
}
