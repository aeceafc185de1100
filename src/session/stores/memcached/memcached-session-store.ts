import { expiresAtOf, isPastDeadline } from '../session-deadlines.js';
import type { SessionKey } from '../../../security/session-token.js';
import { SessionCapabilityError } from '../../capabilities/capabilities.errors.js';
import { LeaseLocks } from '../lease-lock/lease-locks.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockedLoad,
  type LockSettings,
  type SessionChange,
  SessionStore,
  type SessionStoreCapabilities,
  type SessionStoreProbe,
  type SessionSummary,
} from '../session-store.js';
import { withTimeout } from '../with-timeout.js';
import { MemcachedLeaseBackend } from './memcached-lease-backend.js';
import { type CasValue, MemcachedNode } from './memcached-node.js';
import { decodeRecord } from './memcached-record.js';
import { parseServers, RendezvousRing } from './memcached-ring.js';
import type { MemcachedSessionStoreOptions } from './memcached-session-store-options.js';
import { contention, idOf, MemcachedCommits } from './memcached-commits.js';
import { MemcachedSessions } from './memcached-sessions.js';

export type { MemcachedSessionStoreOptions };

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  perKeyMerge: true,
  versions: true,
  locks: true,
  principalIndex: false,
  expiry: true,
  rotation: true,
});

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
  private readonly leases: MemcachedLeaseBackend;
  private readonly locks: LeaseLocks;
  private readonly sessions: MemcachedSessions;
  private readonly commits: MemcachedCommits;

  constructor(options: MemcachedSessionStoreOptions) {
    super();
    this.prefix = options.prefix ?? 'sess:';
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
    this.maxCasAttempts = options.maxCasAttempts ?? 100;
    const servers = parseServers(options.servers);
    this.ring = new RendezvousRing(servers.map((s) => new MemcachedNode(s, this.timeoutMs)));
    this.sessions = new MemcachedSessions(this.ring, this.prefix);
    this.commits = new MemcachedCommits(this.sessions, this.maxCasAttempts);
    this.leases = new MemcachedLeaseBackend(
      (id) => this.sessions.nodeOf(id),
      (id) => `${this.prefix}${id}~lock`,
      (operation, call) => this.run(operation, call),
    );
    this.locks = new LeaseLocks(this.leases, false);
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
        const found = await this.sessions.resolve(idOf(key), now);
        if (!found) return { status: 'missing' };
        const { session } = found;
        if (isPastDeadline(session.meta, now, idleTimeoutMs)) {
          await this.sessions.nodeOf(found.id).delete(this.sessions.keyOf(found.id));
          return { status: 'expired' };
        }
        const slid = now - session.meta.lastAccessAt >= options.slideAfterMs;
        if (!slid && !options.raiseFence) {
          if (!found.aliased) this.sessions.remember(found.id, found);
          return { status: 'found', slid, session, ...(found.aliased && { aliased: true }) };
        }
        const meta = {
          ...session.meta,
          ...(slid && { lastAccessAt: now }),
          ...(options.raiseFence && { fence: session.meta.fence + 1 }),
        };
        const next = { meta, data: session.data };
        if (await this.sessions.write(found, next, expiresAtOf(meta, idleTimeoutMs) - now)) {
          return { status: 'found', slid, session: next, ...(found.aliased && { aliased: true }) };
        }
      }
      throw contention('load');
    });
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    return this.run('commit', () =>
      change.create
        ? this.commits.create(idOf(key), change, change.create.absoluteDeadline)
        : this.commits.update(idOf(key), change),
    );
  }

  async destroy(key: SessionKey): Promise<boolean> {
    const keyId = idOf(key);
    return this.run('destroy', async () => {
      const node = this.sessions.nodeOf(keyId);
      const current = await node.gets(this.sessions.keyOf(keyId));
      if (!current) return false;
      const record = decodeRecord(current.value);
      await node.delete(this.sessions.keyOf(keyId));
      if (record.kind === 'pointer') {
        return record.expiresAt > Date.now() && node.delete(this.sessions.keyOf(record.target));
      }
      return record.kind === 'session';
    });
  }

  async acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.waitingForLock(() => this.locks.acquire(idOf(key), settings));
  }

  /**
   * Two round trips: the lease's `add` with the session's `gets` right behind it (the read runs
   * after the grant, on the same connection), then the fence raised by `cas` with the session
   * and the lease read back behind it, so that the commit and the release that follow are one
   * `cas` each. Anything unusual (a grace pointer, a lost `cas`) takes the ordinary load.
   */
  override async loadLocked(
    key: SessionKey,
    settings: LockSettings,
    options: LoadOptions,
  ): Promise<LockedLoad> {
    const id = idOf(key);
    const read = () => this.sessions.nodeOf(id).gets(this.sessions.keyOf(id));
    const { lock, payload } = await this.waitingForLock(() =>
      this.locks.acquireWith(id, settings, (value) =>
        this.leases.attempt(id, value, settings.durationMs, read),
      ),
    );
    let result: LoadResult;
    try {
      result =
        (await this.raiseFenceOn(id, payload, options, lock.value)) ??
        (await this.load(key, { ...options, raiseFence: true }));
    } catch (error) {
      await lock.release();
      throw error;
    }
    return this.keptIfFound(result, lock);
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
          const current = await this.sessions
            .nodeOf(idOf(key))
            .gets(this.sessions.keyOf(idOf(key)));
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
    this.sessions.clear();
  }

  /**
   * Raises the fence (and slides) on a session read under the lease, reading the session and
   * the lease back in the same round trip; `undefined` when the read was not a live session or
   * the session changed since.
   */
  private async raiseFenceOn(
    id: string,
    read: CasValue | undefined,
    options: LoadOptions,
    leaseValue: string,
  ): Promise<LoadResult | undefined> {
    const record = read && decodeRecord(read.value);
    if (record?.kind !== 'session') return undefined;
    const { now, idleTimeoutMs } = options;
    const { session } = record;
    if (isPastDeadline(session.meta, now, idleTimeoutMs)) return undefined;
    const slid = now - session.meta.lastAccessAt >= options.slideAfterMs;
    const meta = {
      ...session.meta,
      ...(slid && { lastAccessAt: now }),
      fence: session.meta.fence + 1,
    };
    const next = { meta, data: session.data };
    const found = { id, cas: read!.cas, session, aliased: false };
    return this.run('load', async () => {
      const [written, after] = await Promise.all([
        this.sessions.write(found, next, expiresAtOf(meta, idleTimeoutMs) - now),
        this.sessions
          .nodeOf(id)
          .gets(this.sessions.keyOf(id))
          .catch(() => undefined),
        this.leases.noteHeld(id, leaseValue),
      ]);
      if (!written) return undefined;
      if (after) this.sessions.rememberRead(id, after);
      return { status: 'found', slid, session: next };
    });
  }

  /** Bounds a call by the command timeout and reports it to the observers. */
  private run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.observed(operation, () => withTimeout(operation, this.timeoutMs, call));
  }
}
