import {
  METADATA_CHANGE_FIELDS,
  type SessionChange,
  type SessionMetadata,
  type StoredSession,
} from '../session-store.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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

export function isPastDeadline(meta: SessionMetadata, now: number, idleTimeoutMs: number): boolean {
  return now >= meta.absoluteDeadline || now >= meta.lastAccessAt + idleTimeoutMs;
}

export function expiresAtOf(meta: SessionMetadata, idleTimeoutMs: number): number {
  return Math.min(meta.lastAccessAt + idleTimeoutMs, meta.absoluteDeadline);
}

/** A new session as a create commit makes it (version 1). */
export function createdSession(change: SessionChange, absoluteDeadline: number): StoredSession {
  const base: StoredSession = {
    meta: {
      version: 0,
      createdAt: change.now,
      lastAccessAt: change.now,
      absoluteDeadline,
      fence: 0,
    },
    data: {},
  };
  return applyChange(base, change);
}

/** The session after `change`: per-key merge of data and metadata, version raised. */
export function applyChange(session: StoredSession, change: SessionChange): StoredSession {
  const data = new Map(change.clearData ? [] : Object.entries(session.data));
  for (const [field, value] of Object.entries(change.set)) data.set(field, value);
  for (const field of change.delete) data.delete(field);
  const meta: Mutable<SessionMetadata> = { ...session.meta };
  const update = change.meta ?? {};
  for (const name of METADATA_CHANGE_FIELDS) {
    const value = update[name];
    if (value === null) delete meta[name];
    else if (value !== undefined) (meta as Record<string, unknown>)[name] = value;
  }
  meta.version += 1;
  meta.lastAccessAt = change.now;
  return { meta, data: Object.fromEntries(data) };
}

/** Memcached lifetime (seconds, at least 1, at most 30 days) for something that ends at `ms`. */
export function lifetimeFor(ms: number): number {
  return Math.min(30 * 24 * 3600, Math.max(1, Math.ceil(ms / 1000) + 1));
}
