import {
  METADATA_CHANGE_FIELDS,
  type SessionChange,
  type SessionMetadata,
  type StoredSession,
} from '../session-store.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/*
 * The semantics of a commit on a session held as one value (Memcached, express-session stores):
 * the store reads the value, applies the change here, and writes it back its own way.
 */

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
  if (change.absoluteDeadline !== undefined && !change.create) {
    meta.absoluteDeadline = change.absoluteDeadline;
  }
  meta.version += 1;
  meta.lastAccessAt = change.now;
  return { meta, data: Object.fromEntries(data) };
}
