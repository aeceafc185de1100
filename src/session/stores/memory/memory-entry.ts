import {
  type CommitResult,
  METADATA_CHANGE_FIELDS,
  type SessionChange,
  type SessionMetadata,
} from '../session-store.js';

/** A session held in memory. */
export interface MemoryEntry {
  meta: Mutable<SessionMetadata>;
  data: Map<string, string>;
  expiresAt: number;
  /** Keys written without the lock since the holder of `fence` reloaded (see commit-checks.lua). */
  noted?: { fence: number; keys: Set<string>; all: boolean };
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A session a `create` change starts; the change itself fills it. */
export function newEntry(now: number, absoluteDeadline: number): MemoryEntry {
  return {
    meta: { version: 0, createdAt: now, lastAccessAt: now, absoluteDeadline, fence: 0 },
    data: new Map(),
    expiresAt: 0,
  };
}

/**
 * Why `change` may not apply to `entry`, as commit.lua decides it: version, fence and keys noted
 * under a lock for an existing session, then the size bound. `undefined` when it may.
 */
export function refusalOf(entry: MemoryEntry, change: SessionChange): CommitResult | undefined {
  if (!change.create) {
    if (change.expectedVersion !== undefined && entry.meta.version !== change.expectedVersion) {
      return { status: 'conflict', storedVersion: entry.meta.version };
    }
    if (change.fence !== undefined && entry.meta.fence > change.fence) {
      return { status: 'fenced', storedFence: entry.meta.fence };
    }
    if (overwritesNoted(entry, change)) {
      return { status: 'conflict', storedVersion: entry.meta.version };
    }
  }
  const before = change.create ? 0 : dataBytes(entry.data);
  const after = bytesAfter(change.create || change.clearData ? new Map() : entry.data, change);
  if (change.maxBytes !== undefined && after > change.maxBytes && after > before) {
    return { status: 'too-large', bytes: after };
  }
  return undefined;
}

/** Writes `change` into `entry`: data, metadata, version, idle slide and noted keys. */
export function applyChange(entry: MemoryEntry, change: SessionChange): void {
  const { now, idleTimeoutMs } = change;
  if (change.fence !== undefined) entry.noted = undefined;
  else if (!change.create && entry.noted) noteWrites(entry.noted, change);
  if (change.clearData) entry.data.clear();
  for (const [field, value] of Object.entries(change.set)) entry.data.set(field, value);
  for (const field of change.delete) entry.data.delete(field);
  applyMetadata(entry.meta, change);
  if (change.absoluteDeadline !== undefined && !change.create) {
    entry.meta.absoluteDeadline = change.absoluteDeadline;
  }
  entry.meta.version += 1;
  entry.meta.lastAccessAt = now;
  entry.expiresAt = Math.min(now + idleTimeoutMs, entry.meta.absoluteDeadline);
}

/** Data bytes as the stores count them: each key's name and JSON value. */
function dataBytes(data: ReadonlyMap<string, string>): number {
  let bytes = 0;
  for (const [key, json] of data) bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
  return bytes;
}

function bytesAfter(data: ReadonlyMap<string, string>, change: SessionChange): number {
  const next = new Map(data);
  for (const [key, json] of Object.entries(change.set)) next.set(key, json);
  for (const key of change.delete) next.delete(key);
  return dataBytes(next);
}

function changedKeys(change: SessionChange): string[] {
  return [...Object.keys(change.set), ...change.delete];
}

function noteWrites(noted: NonNullable<MemoryEntry['noted']>, change: SessionChange): void {
  if (change.clearData) noted.all = true;
  for (const key of changedKeys(change)) noted.keys.add(key);
}

function overwritesNoted(entry: MemoryEntry, change: SessionChange): boolean {
  const noted = entry.noted;
  if (change.fence === undefined || noted?.fence !== change.fence) return false;
  return noted.all || changedKeys(change).some((key) => noted.keys.has(key));
}

function applyMetadata(meta: Mutable<SessionMetadata>, change: SessionChange): void {
  const update = change.meta ?? {};
  for (const name of METADATA_CHANGE_FIELDS) {
    const value = update[name];
    if (value === null) delete meta[name];
    else if (value !== undefined) (meta as Record<string, unknown>)[name] = value;
  }
}
