import { isPastDeadline } from '../session-deadlines.js';
import type { SessionKey } from '../../../security/session-token.js';
import { MemoryPrincipalIndex } from './memory-principal-index.js';
import { MemorySessionLocks } from './memory-session-lock.js';
import { applyChange, type MemoryEntry, newEntry, refusalOf } from './memory-entry.js';
import { MemoryGracePointers } from './memory-grace-pointers.js';
import {
  type CommitReport,
  type CommitResult,
  type DestroyOptions,
  type DestroyResult,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  type SessionStoreProbe,
  type SessionSummary,
  type LockSettings,
  type LoadOptions,
  type LoadResult,
  type SessionChange,
} from '../session-store.js';
import { ReportingSessionStore } from '../reporting-session-store.js';

/** How often expired entries are swept, so an idle process does not keep dead sessions. */
const SWEEP_INTERVAL_MS = 60_000;
/**
 * The embedded default: the semantics of the Redis store (deadlines, versions, fences, per-key
 * merge) in one process. It serves one process only: sessions do not follow a user to another
 * server, and they are lost on restart.
 */
export class MemorySessionStore extends ReportingSessionStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly pointers = new MemoryGracePointers();
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
    const { id, aliased } = this.pointers.resolve(idOf(key), now, key);
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
    if (options.raiseFence) {
      entry.meta.fence += 1;
      // A lock holder reads now: later commits without the lock note the keys they write.
      entry.noted = { fence: entry.meta.fence, keys: new Set(), all: false };
    }
    return {
      status: 'found',
      slid,
      session: { meta: { ...entry.meta }, data: Object.fromEntries(entry.data) },
      ...(aliased && { aliased }),
    };
  }

  async acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.waitingForLock(() => this.locks.acquire(idOf(key), settings));
  }

  override async commitReporting(key: SessionKey, change: SessionChange): Promise<CommitReport> {
    const report = this.apply(key, change);
    if (change.releaseLock) this.locks.release(idOf(key), change.releaseLock.value);
    return report;
  }

  private apply(key: SessionKey, change: SessionChange): CommitReport {
    const { now, idleTimeoutMs } = change;
    const keyId = idOf(key);
    if (this.isRevoked(key, now)) {
      this.entries.delete(keyId);
      return { result: { status: 'gone' } };
    }
    const { id, aliased, targetKey } = change.create
      ? { id: keyId, aliased: false, targetKey: key }
      : this.pointers.resolve(keyId, now, key);
    let entry = this.entries.get(id);
    if (entry && isPastDeadline(entry.meta, now, idleTimeoutMs)) {
      this.entries.delete(id);
      entry = undefined;
    }
    if (change.create) {
      if (entry) return { result: { status: 'exists' } };
      entry = newEntry(now, change.create.absoluteDeadline);
    } else if (!entry) return { result: { status: 'gone' } };
    const refusal = refusalOf(entry, change);
    if (refusal) return { result: refusal };
    // A rotation that lost the race to a concurrent one keeps the session where that one put it.
    const moveTo = change.moveTo && !(aliased && change.rotation) ? idOf(change.moveTo) : undefined;
    if (moveTo) {
      this.entries.delete(id);
      this.pointers.delete(keyId);
      const graceMs = aliased ? 0 : (change.rotation?.graceMs ?? 0);
      if (graceMs > 0 && change.moveTo) {
        this.pointers.set(keyId, moveTo, change.moveTo, now + graceMs);
      }
    }
    applyChange(entry, change);
    this.entries.set(moveTo ?? id, entry);
    const writtenKey = moveTo ? change.moveTo : targetKey;
    const result: CommitResult = {
      status: 'committed',
      version: entry.meta.version,
      expiresAt: entry.expiresAt,
      ...(aliased && { aliased }),
    };
    return writtenKey && idOf(writtenKey) !== keyId ? { result, writtenKey } : { result };
  }

  override async destroyReporting(
    key: SessionKey,
    options: DestroyOptions = {},
  ): Promise<DestroyResult> {
    const now = Date.now();
    const keyId = idOf(key);
    const { id, via, targetKey } = this.pointers.resolve(keyId, now, key);
    for (const pointer of [keyId, ...via]) this.pointers.delete(pointer);
    const stored = this.entries.get(id)?.meta.absoluteDeadline;
    const removed = this.entries.delete(id);
    const deletedKeys = id === keyId ? [key] : [key, targetKey];
    // A key that names nothing revokes its tag only for a caller that knows it was this session's.
    if (!removed && options.until === undefined) return { existed: false, deletedKeys };
    const known = [options.until, stored].filter((value): value is number => value !== undefined);
    const until = known.length > 0 ? Math.max(...known) : now + this.maxSessionLifetimeMs;
    const previous = this.revokedTags.get(key.tag) ?? 0;
    if (until > now) this.revokedTags.set(key.tag, Math.max(previous, until));
    return { existed: removed, deletedKeys };
  }

  /** The session's tag was revoked by a destroy (see destroy.lua). */
  private isRevoked(key: SessionKey, now: number): boolean {
    const until = this.revokedTags.get(key.tag);
    if (until === undefined) return false;
    if (until > now) return true;
    this.revokedTags.delete(key.tag);
    return false;
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
    this.pointers.clear();
    this.revokedTags.clear();
    this.index.clear();
  }

  private sweep(now: number): void {
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(id);
    this.pointers.sweep(now);
    for (const [tag, until] of this.revokedTags) if (until <= now) this.revokedTags.delete(tag);
  }
}

function idOf(key: SessionKey): string {
  return `${key.tag}:${key.secretHash}`;
}
