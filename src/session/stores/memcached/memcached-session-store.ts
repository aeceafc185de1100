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
  type LockSettings,
  type SessionChange,
  SessionStore,
  type SessionStoreCapabilities,
  type SessionStoreProbe,
  type SessionSummary,
} from '../session-store.js';
import { withTimeout } from '../with-timeout.js';
import { MemcachedLeaseBackend } from './memcached-lease-backend.js';
import { MemcachedNode } from './memcached-node.js';
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
    this.locks = new LeaseLocks(
      new MemcachedLeaseBackend(
        (id) => this.sessions.nodeOf(id),
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

  /** Bounds a call by the command timeout and reports it to the observers. */
  private run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.observed(operation, () => withTimeout(operation, this.timeoutMs, call));
  }
}
