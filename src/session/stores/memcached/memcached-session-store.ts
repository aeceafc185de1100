import type { SessionKey } from '../../../security/session-token.js';
import { SessionCapabilityError } from '../../capabilities/session-capability.errors.js';
import { SessionStoreUnavailableError } from '../../session.errors.js';
import { LeaseLocks } from '../lease-lock/lease-locks.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockSettings,
  type SessionChange,
  SessionStore,
  type SessionStoreCapabilities,
  type SessionStoreProbe,
  type SessionSummary,
  type StoredSession,
} from '../session-store.js';
import { withTimeout } from '../with-timeout.js';
import { MemcachedLeaseBackend } from './memcached-lease-backend.js';
import { type CasValue, MemcachedNode } from './memcached-node.js';
import {
  applyChange,
  createdSession,
  expiresAtOf,
  isPastDeadline,
} from '../session-blob/session-blob.js';
import {
  decodeRecord,
  encodePointer,
  encodeSession,
  lifetimeFor,
  TOMBSTONE,
} from './memcached-record.js';
import { parseServers, RendezvousRing } from './memcached-ring.js';

export interface MemcachedSessionStoreOptions {
  /** `'host:port,host:port'` or a list; sessions are spread by rendezvous hashing of their tag. */
  readonly servers: string | readonly string[];
  /** Prefix of every key this store writes. @default 'sess:' */
  readonly prefix?: string;
  /** Longest wait for one store operation before the request gets 503. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** CAS attempts of one commit under contention before it fails with 503. @default 100 */
  readonly maxCasAttempts?: number;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  perKeyMerge: true,
  versions: true,
  locks: true,
  principalIndex: false,
  expiry: true,
  rotation: true,
});

/** A session as read, with what a `cas` write of it needs. */
interface Resolved {
  /** Where the session is (the key itself, or where its grace pointer leads). */
  readonly id: string;
  readonly cas: string;
  readonly session: StoredSession;
  readonly aliased: boolean;
}

/** Most loads remembered for the commit that follows them (a bounded map, oldest out first). */
const MAX_HINTS = 10_000;

/**
 * Sessions in Memcached, one JSON value per session. Every write is a `cas` against the value it
 * was computed from, so versions, fences and per-key merge hold (a lost race is retried on the
 * fresh value). Expiry is Memcached's TTL plus the deadlines checked on every read. There is no
 * principal index: Memcached cannot list or index keys.
 */
export class MemcachedSessionStore extends SessionStore {
  private readonly ring: RendezvousRing<MemcachedNode>;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly maxCasAttempts: number;
  private readonly locks: LeaseLocks;
  /** CAS and value of recent plain loads, so the commit after a load is one `cas`. */
  private readonly hints = new Map<string, CasValue>();

  constructor(options: MemcachedSessionStoreOptions) {
    super();
    this.prefix = options.prefix ?? 'sess:';
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
    this.maxCasAttempts = options.maxCasAttempts ?? 100;
    const servers = parseServers(options.servers);
    this.ring = new RendezvousRing(servers.map((s) => new MemcachedNode(s, this.timeoutMs)));
    this.locks = new LeaseLocks(
      new MemcachedLeaseBackend(
        (id) => this.nodeOf(id),
        (id) => `${this.prefix}${id}~lock`,
        (operation, call) => this.run(operation, call),
      ),
      false,
    );
  }

  override get capabilities(): SessionStoreCapabilities {
    return CAPABILITIES;
  }

  override get storeName(): string {
    return 'MemcachedSessionStore';
  }

  /** The server (`host:port`) that holds the sessions of `tag`, for diagnostics. */
  serverFor(tag: string): string {
    return this.ring.nodeFor(tag).address;
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const { now, idleTimeoutMs } = options;
    return this.run('load', async () => {
      for (let attempt = 1; attempt <= this.maxCasAttempts; attempt += 1) {
        const found = await this.resolve(idOf(key), now);
        if (!found) return { status: 'missing' };
        const { session } = found;
        if (isPastDeadline(session.meta, now, idleTimeoutMs)) {
          await this.nodeOf(found.id).delete(this.keyOf(found.id));
          return { status: 'expired' };
        }
        const slid = now - session.meta.lastAccessAt >= options.slideAfterMs;
        if (!slid && !options.raiseFence) {
          if (!found.aliased) this.remember(found.id, found);
          return { status: 'found', slid, session, ...(found.aliased && { aliased: true }) };
        }
        const meta = {
          ...session.meta,
          ...(slid && { lastAccessAt: now }),
          ...(options.raiseFence && { fence: session.meta.fence + 1 }),
        };
        const next = { meta, data: session.data };
        if (await this.write(found, next, expiresAtOf(meta, idleTimeoutMs) - now)) {
          return { status: 'found', slid, session: next, ...(found.aliased && { aliased: true }) };
        }
      }
      throw contention('load');
    });
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    return this.run('commit', () =>
      change.create
        ? this.create(key, change, change.create.absoluteDeadline)
        : this.update(key, change),
    );
  }

  private async create(
    key: SessionKey,
    change: SessionChange,
    deadline: number,
  ): Promise<CommitResult> {
    const id = idOf(key);
    const node = this.nodeOf(id);
    const session = createdSession(change, deadline);
    const expiresAt = expiresAtOf(session.meta, change.idleTimeoutMs);
    const value = encodeSession(session);
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt += 1) {
      if (await node.add(this.keyOf(id), value, lifetimeFor(expiresAt - change.now))) {
        return { status: 'committed', version: 1, expiresAt };
      }
      const current = await node.gets(this.keyOf(id));
      if (!current) continue;
      const record = decodeRecord(current.value);
      const live =
        record.kind === 'session' &&
        !isPastDeadline(record.session.meta, change.now, change.idleTimeoutMs);
      if (live) return { status: 'exists' };
      // A session past its deadline (or a dead pointer) is replaced, not kept.
      if (await node.cas(this.keyOf(id), value, current.cas, lifetimeFor(expiresAt - change.now))) {
        return { status: 'committed', version: 1, expiresAt };
      }
    }
    throw contention('commit');
  }

  private async update(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const { now, idleTimeoutMs } = change;
    const keyId = idOf(key);
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt += 1) {
      const found = (attempt === 1 && this.recall(keyId)) || (await this.resolve(keyId, now));
      if (!found) return { status: 'gone' };
      const stored = found.session.meta;
      if (isPastDeadline(stored, now, idleTimeoutMs)) {
        await this.nodeOf(found.id).delete(this.keyOf(found.id));
        return { status: 'gone' };
      }
      if (change.expectedVersion !== undefined && stored.version !== change.expectedVersion) {
        return { status: 'conflict', storedVersion: stored.version };
      }
      if (change.fence !== undefined && stored.fence > change.fence) {
        return { status: 'fenced', storedFence: stored.fence };
      }
      const next = applyChange(found.session, change);
      const expiresAt = expiresAtOf(next.meta, idleTimeoutMs);
      // A rotation that lost the race to a concurrent one stays where that one put the session.
      const moveTo =
        change.moveTo && !(found.aliased && change.rotation) ? idOf(change.moveTo) : undefined;
      const written = moveTo
        ? await this.move(keyId, found, moveTo, next, change)
        : await this.write(found, next, expiresAt - now);
      if (written) {
        return {
          status: 'committed',
          version: next.meta.version,
          expiresAt,
          ...(found.aliased && { aliased: true }),
        };
      }
    }
    throw contention('commit');
  }

  /**
   * Moves a session (same tag, so the same server): writes the new key, then replaces the old
   * one by a grace pointer or a tombstone with `cas`; when that loses a race the new key is
   * removed again and the commit retried.
   */
  private async move(
    keyId: string,
    found: Resolved,
    target: string,
    next: StoredSession,
    change: SessionChange,
  ): Promise<boolean> {
    const node = this.nodeOf(target);
    const expiresAt = expiresAtOf(next.meta, change.idleTimeoutMs);
    await node.set(this.keyOf(target), encodeSession(next), lifetimeFor(expiresAt - change.now));
    const graceMs = found.aliased ? 0 : (change.rotation?.graceMs ?? 0);
    const left = graceMs > 0 ? encodePointer(target, change.now + graceMs) : TOMBSTONE;
    if (
      !(await node.cas(this.keyOf(found.id), left, found.cas, lifetimeFor(Math.max(graceMs, 1000))))
    ) {
      await node.delete(this.keyOf(target));
      return false;
    }
    // A regeneration through a grace pointer: the replaced token dies at once, pointer and all.
    if (found.aliased) await node.delete(this.keyOf(keyId));
    return true;
  }

  async destroy(key: SessionKey): Promise<boolean> {
    const keyId = idOf(key);
    return this.run('destroy', async () => {
      const node = this.nodeOf(keyId);
      const current = await node.gets(this.keyOf(keyId));
      if (!current) return false;
      const record = decodeRecord(current.value);
      await node.delete(this.keyOf(keyId));
      if (record.kind === 'pointer') {
        return record.expiresAt > Date.now() && node.delete(this.keyOf(record.target));
      }
      return record.kind === 'session';
    });
  }

  async acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.locks.acquire(idOf(key), settings);
  }

  async updateIndex(): Promise<IndexResult> {
    throw SessionCapabilityError.missing(
      this.storeName,
      'principalIndex',
      'A per-principal session index (session lists, revocation, principalSessions)',
    );
  }

  async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    return this.run('describe', () =>
      Promise.all(
        keys.map(async (key) => {
          const current = await this.nodeOf(idOf(key)).gets(this.keyOf(idOf(key)));
          const record = current && decodeRecord(current.value);
          if (record?.kind !== 'session') return undefined;
          const { meta } = record.session;
          if (isPastDeadline(meta, options.now, options.idleTimeoutMs)) return undefined;
          const { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp } =
            meta;
          return { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp };
        }),
      ),
    );
  }

  override async probe(): Promise<SessionStoreProbe> {
    const started = performance.now();
    await this.run('ping', () => Promise.all(this.ring.all().map((node) => node.version())));
    const latencyMs = performance.now() - started;
    return { topology: 'memcached', latencyMs, masters: this.ring.all().length };
  }

  override async ready(timeoutMs: number): Promise<boolean> {
    try {
      await withTimeout('ready', timeoutMs, () =>
        Promise.all(this.ring.all().map((node) => node.version())),
      );
      return true;
    } catch {
      return false;
    }
  }

  override async close(): Promise<void> {
    for (const node of this.ring.all()) node.close();
    this.hints.clear();
  }

  /** The session at `id`, through a live grace pointer; `undefined` when there is none. */
  private async resolve(id: string, now: number): Promise<Resolved | undefined> {
    const node = this.nodeOf(id);
    const current = await node.gets(this.keyOf(id));
    if (!current) return undefined;
    const record = decodeRecord(current.value);
    if (record.kind === 'session')
      return { id, cas: current.cas, session: record.session, aliased: false };
    if (record.kind !== 'pointer' || record.expiresAt <= now) return undefined;
    const target = await node.gets(this.keyOf(record.target));
    if (!target) return undefined;
    const moved = decodeRecord(target.value);
    if (moved.kind !== 'session') return undefined;
    return { id: record.target, cas: target.cas, session: moved.session, aliased: true };
  }

  /** Writes `session` over the value `found` was read from; `false` when it changed meanwhile. */
  private write(found: Resolved, session: StoredSession, lifetimeMs: number): Promise<boolean> {
    this.hints.delete(found.id);
    return this.nodeOf(found.id).cas(
      this.keyOf(found.id),
      encodeSession(session),
      found.cas,
      lifetimeFor(lifetimeMs),
    );
  }

  private remember(id: string, found: Resolved): void {
    this.hints.delete(id);
    this.hints.set(id, { value: encodeSession(found.session), cas: found.cas });
    if (this.hints.size > MAX_HINTS) this.hints.delete(this.hints.keys().next().value!);
  }

  /** The session a recent load of `id` saw, if any (a `cas` proves it is still current). */
  private recall(id: string): Resolved | undefined {
    const hint = this.hints.get(id);
    if (!hint) return undefined;
    this.hints.delete(id);
    const record = decodeRecord(hint.value);
    if (record.kind !== 'session') return undefined;
    return { id, cas: hint.cas, session: record.session, aliased: false };
  }

  private nodeOf(id: string): MemcachedNode {
    return this.ring.nodeFor(id.slice(0, id.indexOf(':')));
  }

  private keyOf(id: string): string {
    return `${this.prefix}${id}`;
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await withTimeout(operation, this.timeoutMs, call);
      this.observer.operation(operation, performance.now() - started, false);
      return result;
    } catch (error) {
      this.observer.operation(operation, performance.now() - started, true);
      this.observer.error(operation, error as Error);
      throw error;
    }
  }
}

function idOf(key: SessionKey): string {
  return `${key.tag}:${key.secretHash}`;
}

function contention(operation: string): SessionStoreUnavailableError {
  return SessionStoreUnavailableError.because(
    operation,
    new Error('the session kept changing under concurrent writers (CAS attempts exhausted)'),
  );
}
