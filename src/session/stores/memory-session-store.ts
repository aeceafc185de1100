import type { SessionKey } from '../../security/session-token.js';
import { MemoryPrincipalIndex } from './memory-principal-index.js';
import { MemorySessionLocks } from './memory-session-lock.js';
import {
  type CommitResult,
  type DestroyOptions,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  METADATA_CHANGE_FIELDS,
  type SessionStoreProbe,
  type SessionSummary,
  type LockSettings,
  type LoadOptions,
  type LoadResult,
  type SessionChange,
  type SessionMetadata,
  SessionStore,
} from './session-store.js';

interface MemoryEntry {
  meta: Mutable<SessionMetadata>;
  data: Map<string, string>;
  expiresAt: number;
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A rotation's grace pointer: the replaced key leads to the session's new one for a while. */
interface MemoryAlias {
  target: string;
  expiresAt: number;
}

/** How often expired entries are swept, so an idle process does not keep dead sessions. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * The embedded default: the semantics of the Redis store (deadlines, versions, fences, per-key
 * merge) in one process. It serves one process only: sessions do not follow a user to another
 * server, and they are lost on restart.
 */
export class MemorySessionStore extends SessionStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly aliases = new Map<string, MemoryAlias>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly locks = new MemorySessionLocks();
  private readonly index = new MemoryPrincipalIndex();
  /** Revoked tags (as destroy.lua's tombstones): tag → until when every key of it is refused. */
  private readonly revokedTags = new Map<string, number>();
  private readonly maxSessionLifetimeMs: number;

  /**
   * @param options.maxSessionLifetimeMs the longest a session lives: how long a destroyed
   *   session's tag stays revoked when its deadline is unknown. @default 86_400_000 (24 h)
   */
  constructor(options: { readonly maxSessionLifetimeMs?: number } = {}) {
    super();
    this.maxSessionLifetimeMs = options.maxSessionLifetimeMs ?? 86_400_000;
    this.sweeper = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Number of sessions held, expired ones not yet swept included. */
  get size(): number {
    return this.entries.size;
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const { now, idleTimeoutMs } = options;
    if (this.isRevoked(key, now)) {
      this.entries.delete(idOf(key));
      return { status: 'missing' };
    }
    const { id, aliased } = this.resolve(idOf(key), now);
    const entry = this.entries.get(id);
    if (!entry) return { status: 'missing' };
    if (isPastDeadline(entry.meta, now, idleTimeoutMs)) {
      this.entries.delete(id);
      return { status: 'expired' };
    }
    let slid = false;
    if (now - entry.meta.lastAccessAt >= options.slideAfterMs) {
      entry.meta.lastAccessAt = now;
      entry.expiresAt = Math.min(now + idleTimeoutMs, entry.meta.absoluteDeadline);
      slid = true;
    }
    if (options.raiseFence) entry.meta.fence += 1;
    return {
      status: 'found',
      slid,
      session: { meta: { ...entry.meta }, data: Object.fromEntries(entry.data) },
      ...(aliased && { aliased }),
    };
  }

  async acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.locks.acquire(idOf(key), settings);
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const result = this.apply(key, change);
    if (change.releaseLock) this.locks.release(idOf(key), change.releaseLock.value);
    return result;
  }

  private apply(key: SessionKey, change: SessionChange): CommitResult {
    const { now, idleTimeoutMs } = change;
    const keyId = idOf(key);
    if (this.isRevoked(key, now)) {
      this.entries.delete(keyId);
      return { status: 'gone' };
    }
    const { id, aliased } = change.create
      ? { id: keyId, aliased: false }
      : this.resolve(keyId, now);
    let entry = this.entries.get(id);
    if (entry && isPastDeadline(entry.meta, now, idleTimeoutMs)) {
      this.entries.delete(id);
      entry = undefined;
    }
    if (change.create) {
      if (entry) return { status: 'exists' };
      entry = {
        meta: {
          version: 0,
          createdAt: now,
          lastAccessAt: now,
          absoluteDeadline: change.create.absoluteDeadline,
          fence: 0,
        },
        data: new Map(),
        expiresAt: 0,
      };
    } else {
      if (!entry) return { status: 'gone' };
      if (change.expectedVersion !== undefined && entry.meta.version !== change.expectedVersion) {
        return { status: 'conflict', storedVersion: entry.meta.version };
      }
      if (change.fence !== undefined && entry.meta.fence > change.fence) {
        return { status: 'fenced', storedFence: entry.meta.fence };
      }
    }
    // A rotation that lost the race to a concurrent one keeps the session where that one put it.
    const moveTo = change.moveTo && !(aliased && change.rotation) ? idOf(change.moveTo) : undefined;
    if (moveTo) {
      this.entries.delete(id);
      this.aliases.delete(keyId);
      const graceMs = aliased ? 0 : (change.rotation?.graceMs ?? 0);
      if (graceMs > 0) this.aliases.set(keyId, { target: moveTo, expiresAt: now + graceMs });
    }
    if (change.clearData) entry.data.clear();
    for (const [field, value] of Object.entries(change.set)) entry.data.set(field, value);
    for (const field of change.delete) entry.data.delete(field);
    applyMetadata(entry.meta, change);
    entry.meta.version += 1;
    entry.meta.lastAccessAt = now;
    entry.expiresAt = Math.min(now + idleTimeoutMs, entry.meta.absoluteDeadline);
    this.entries.set(moveTo ?? id, entry);
    return {
      status: 'committed',
      version: entry.meta.version,
      expiresAt: entry.expiresAt,
      ...(aliased && { aliased }),
    };
  }

  async destroy(key: SessionKey, options: DestroyOptions = {}): Promise<boolean> {
    const now = Date.now();
    const keyId = idOf(key);
    const { id } = this.resolve(keyId, now);
    this.aliases.delete(keyId);
    const stored = this.entries.get(id)?.meta.absoluteDeadline;
    const removed = this.entries.delete(id);
    // A key that names nothing revokes its tag only for a caller that knows it was this session's.
    if (!removed && options.until === undefined) return false;
    const known = [options.until, stored].filter((value): value is number => value !== undefined);
    const until = known.length > 0 ? Math.max(...known) : now + this.maxSessionLifetimeMs;
    const previous = this.revokedTags.get(key.tag) ?? 0;
    if (until > now) this.revokedTags.set(key.tag, Math.max(previous, until));
    return removed;
  }

  /** The session's tag was revoked by a destroy (see destroy.lua). */
  private isRevoked(key: SessionKey, now: number): boolean {
    const until = this.revokedTags.get(key.tag);
    if (until === undefined) return false;
    if (until > now) return true;
    this.revokedTags.delete(key.tag);
    return false;
  }

  /** Where `id` leads: through a live grace pointer, or to itself. */
  private resolve(id: string, now: number): { id: string; aliased: boolean } {
    const alias = this.aliases.get(id);
    if (!alias) return { id, aliased: false };
    if (alias.expiresAt > now) return { id: alias.target, aliased: true };
    this.aliases.delete(id);
    return { id, aliased: false };
  }

  async updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    return this.index.update(principalId, change);
  }

  async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    return keys.map((key) => {
      if (this.isRevoked(key, options.now)) return undefined;
      const entry = this.entries.get(idOf(key));
      if (!entry || isPastDeadline(entry.meta, options.now, options.idleTimeoutMs))
        return undefined;
      const { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp } =
        entry.meta;
      return { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp };
    });
  }

  override async probe(): Promise<SessionStoreProbe> {
    return { topology: 'memory', latencyMs: 0, masters: 1 };
  }

  override async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.aliases.clear();
    this.revokedTags.clear();
    this.index.clear();
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    for (const [id, alias] of this.aliases) if (alias.expiresAt <= now) this.aliases.delete(id);
    for (const [tag, until] of this.revokedTags) if (until <= now) this.revokedTags.delete(tag);
  }
}

function idOf(key: SessionKey): string {
  return `${key.tag}:${key.secretHash}`;
}

function isPastDeadline(meta: SessionMetadata, now: number, idleTimeoutMs: number): boolean {
  return now >= meta.absoluteDeadline || now >= meta.lastAccessAt + idleTimeoutMs;
}

function applyMetadata(meta: Mutable<SessionMetadata>, change: SessionChange): void {
  const update = change.meta ?? {};
  for (const name of METADATA_CHANGE_FIELDS) {
    const value = update[name];
    if (value === null) delete meta[name];
    else if (value !== undefined) (meta as Record<string, unknown>)[name] = value;
  }
}
