import type { SessionMetadata, StoredSession } from '../session-store.js';

/**
 * What a Memcached key holds: a session (metadata and the JSON of each data key), a rotation's
 * grace pointer to the key the session moved to, or a tombstone left by a move (read as missing).
 */
export type MemcachedRecord =
  | { readonly kind: 'session'; readonly session: StoredSession }
  | { readonly kind: 'pointer'; readonly target: string; readonly expiresAt: number }
  | { readonly kind: 'dead' };

interface Encoded {
  m?: SessionMetadata;
  d?: Record<string, string>;
  p?: string;
  e?: number;
}

export function encodeSession(session: StoredSession): string {
  return JSON.stringify({ m: session.meta, d: session.data } satisfies Encoded);
}

export function encodePointer(target: string, expiresAt: number): string {
  return JSON.stringify({ p: target, e: expiresAt } satisfies Encoded);
}

export const TOMBSTONE = '{}';

export function decodeRecord(text: string): MemcachedRecord {
  const raw = JSON.parse(text) as Encoded;
  if (raw.m) {
    // fromEntries: a data key named `__proto__` stays a key instead of a prototype.
    const data = Object.fromEntries(Object.entries(raw.d ?? {}));
    return { kind: 'session', session: { meta: raw.m, data } };
  }
  if (raw.p !== undefined) return { kind: 'pointer', target: raw.p, expiresAt: raw.e ?? 0 };
  return { kind: 'dead' };
}

/** Memcached lifetime (seconds, at least 1, at most 30 days) for something that ends at `ms`. */
export function lifetimeFor(ms: number): number {
  return Math.min(30 * 24 * 3600, Math.max(1, Math.ceil(ms / 1000) + 1));
}
