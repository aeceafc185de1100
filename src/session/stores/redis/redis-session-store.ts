import type { Cluster, Redis } from 'ioredis';
import type { SessionKey } from '../../../security/session-token.js';
import { SessionReplicationError } from '../../management/management.errors.js';
import { isPastDeadline } from '../session-deadlines.js';
import {
  type CommitReport,
  type DestroyOptions,
  type DestroyResult,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockedLoad,
  type LockSettings,
  type SessionChange,
  type SessionStoreProbe,
  type SessionSummary,
} from '../session-store.js';
import { ReportingSessionStore } from '../reporting-session-store.js';
import { RedisExpiryListener } from './redis-expiry-listener.js';
import { decodeSummary, SUMMARY_FIELDS } from './redis-hash-layout.js';
import { RedisReplicatedWrites } from './redis-replicated-writes.js';
import { probeRedis } from './redis-probe.js';
import { isNonLocalKey, RedisScriptCalls } from './redis-script-calls.js';
import {
  commitArgsOf,
  commitResultOf,
  indexArgsOf,
  indexResultOf,
  loadArgsOf,
  loadResultOf,
} from './redis-script-codec.js';
import { type CommitReply, type LoadReply, withSessionScripts } from './redis-scripts.js';
import { RedisSessionLocks } from './redis-session-lock.js';
import { lockThenLoadAttempt } from './redis-lock-then-load.js';
import type { RedisSessionStoreOptions } from './redis-session-store-options.js';
import { waitForReady } from '../wait-for-ready.js';
import { withTimeout } from '../with-timeout.js';

export type { RedisSessionStoreOptions };

/**
 * Sessions in Redis, one hash per session at `prefix{tag}secretHash`. Every operation is one
 * round trip (a Lua script or one command), and works unchanged on standalone, Sentinel and
 * Cluster: all keys of one session share the `{tag}` slot.
 */
export class RedisSessionStore extends ReportingSessionStore {
  readonly client: Redis | Cluster;
  private readonly calls: RedisScriptCalls;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly ownsClient: boolean;
  private readonly locks: RedisSessionLocks;
  private readonly writes: RedisReplicatedWrites;
  private readonly maxSessionLifetimeMs: number;
  /** Writes in flight, so that `close()` lets them finish before it closes the client. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private expiryListener?: RedisExpiryListener;

  constructor(options: RedisSessionStoreOptions) {
    super();
    this.client = options.client;
    withSessionScripts(options.client);
    this.prefix = options.prefix ?? 'sess:';
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
    this.calls = new RedisScriptCalls(options.client, this.timeoutMs);
    this.ownsClient = options.ownsClient ?? false;
    this.locks = new RedisSessionLocks(options.client, options.lockClients);
    this.writes = new RedisReplicatedWrites(this.calls, this.timeoutMs, options, (event) =>
      this.observer.replicaShortfall(event),
    );
    this.maxSessionLifetimeMs = options.maxSessionLifetimeMs ?? 86_400_000;
    // A client we built has no other listener: without one, ioredis prints every reconnect
    // failure as an unhandled error. The failures reach the app as `store-error` events.
    if (this.ownsClient)
      this.client.on('error', (error: Error) => this.observer.error('connection', error));
  }

  /** The Redis key of a principal's session index; its own slot, `{principalId}`. */
  indexKeyOf(principalId: string): string {
    return `${this.prefix}user:{${principalId}}`;
  }

  /** The tombstone of a revoked session's tag: `prefix{tag}`, in the tag's slot. */
  tombstoneKeyOf(key: SessionKey): string {
    return `${this.prefix}{${key.tag}}`;
  }

  /** The Redis key of a session. */
  keyOf(key: SessionKey): string {
    return `${this.prefix}{${key.tag}}${key.secretHash}`;
  }

  load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    return this.run('load', () => this.loadScript(key, options)).then(loadResultOf);
  }

  /**
   * With the lock on the session's own master, one script per attempt takes the lock and loads
   * the session, raising the fence (`lock-then-load.lua`); with a quorum of other masters,
   * redlock's lock, then the load.
   */
  override async loadLocked(
    key: SessionKey,
    settings: LockSettings,
    options: LoadOptions,
  ): Promise<LockedLoad> {
    if (!this.locks.onStoreMaster) return super.loadLocked(key, settings, options);
    const keys = [this.keyOf(key), this.lockKeyOf(key)] as const;
    const args = [...loadArgsOf({ ...options, raiseFence: true }), '0'];
    const parts = { calls: this.calls, timeoutMs: this.timeoutMs, observer: this.observer };
    const attempt = lockThenLoadAttempt(parts, keys, args, settings.durationMs);
    const { lock, payload } = await this.waitingForLock(() =>
      this.locks.acquireWith(keys[1], settings, attempt),
    );
    return this.keptIfFound(loadResultOf(payload), lock);
  }

  /**
   * The load script, which also checks the tag's tombstone. While the session's slot migrates, a
   * node refuses a script that touches a key it lacks ("non local key"), and the tombstone is
   * usually absent: then the script runs without the check and `EXISTS` asks for the tombstone on
   * its own (a single-key command follows ASK), one more round trip only during a migration.
   */
  private loadScript(key: SessionKey, options: LoadOptions): Promise<LoadReply> {
    const args = loadArgsOf(options);
    const keys = [this.keyOf(key)];
    return this.calls.run<LoadReply>('sessionLoad', keys, [...args, '0'], undefined, true).then(
      (outcome) => outcome.reply,
      async (error: unknown) => {
        if (!isNonLocalKey(error)) throw error;
        const { reply } = await this.calls.run<LoadReply>('sessionLoad', keys, [...args, '1']);
        if (reply[0] !== 'found') return reply;
        const revoked = await this.client.exists(this.tombstoneKeyOf(key));
        return revoked === 1 ? ['missing'] : reply;
      },
    );
  }

  /** The key of a session's lock: same slot as the session. */
  lockKeyOf(key: SessionKey): string {
    return `${this.keyOf(key)}:lock`;
  }

  acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.waitingForLock(() => this.locks.acquire(this.lockKeyOf(key), settings));
  }

  override async commitReporting(key: SessionKey, change: SessionChange): Promise<CommitReport> {
    const args = commitArgsOf(change);
    const { reply: result, replicas } = await this.track(
      this.run('commit', () =>
        this.writes.run<CommitReply>(
          'sessionCommit',
          [this.keyOf(key), this.keyOf(change.moveTo ?? key), this.lockKeyOf(key)],
          args,
          (reply) => reply[0] === 'committed',
        ),
      ),
    );
    if (result[0] === 'committed' && result[4] !== this.keyOf(key)) {
      return { result: commitResultOf(result, replicas), writtenKey: this.sessionKeyOf(result[4]) };
    }
    return { result: commitResultOf(result, replicas) };
  }

  override async destroyReporting(
    key: SessionKey,
    options: DestroyOptions = {},
  ): Promise<DestroyResult> {
    const { reply } = await this.track(
      this.run('destroy', () =>
        this.writes.run<[number, ...string[]]>(
          'sessionDestroy',
          [this.keyOf(key)],
          [Date.now(), options.until ?? '', this.maxSessionLifetimeMs],
          (destroyed) => destroyed[0] > 0,
        ),
      ),
    );
    const [removed, ...deleted] = reply;
    return { existed: removed > 0, deletedKeys: deleted.map((k) => this.sessionKeyOf(k)) };
  }

  /** The session key of a Redis key this store wrote (`prefix{tag}secretHash`). */
  private sessionKeyOf(redisKey: string): SessionKey {
    const tagEnd = redisKey.indexOf('}', this.prefix.length);
    return {
      tag: redisKey.slice(this.prefix.length + 1, tagEnd),
      secretHash: redisKey.slice(tagEnd + 1),
    };
  }

  async updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    const args = indexArgsOf(change);
    const { reply } = await this.track(
      this.run('index', () =>
        this.writes.run<(string | number)[]>(
          'sessionIndex',
          [this.indexKeyOf(principalId)],
          args,
          () => true,
        ),
      ),
    );
    return indexResultOf(reply, change);
  }

  async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    // One HMGET (and one EXISTS of its tag's tombstone) per session: on Cluster they live in
    // different slots, so no single script. The commands of all sessions travel together.
    const replies = await this.run('describe', () =>
      Promise.all(
        keys.map(async (key) => {
          const [values, revoked] = await Promise.all([
            this.client.hmget(this.keyOf(key), ...SUMMARY_FIELDS),
            this.client.exists(this.tombstoneKeyOf(key)),
          ]);
          return revoked > 0 ? [] : values;
        }),
      ),
    );
    return replies.map((values) => {
      const summary = decodeSummary(values);
      if (!summary) return undefined;
      return isPastDeadline(summary, options.now, options.idleTimeoutMs) ? undefined : summary;
    });
  }

  /**
   * Reports sessions Redis expires by itself (`expired` events) through keyspace notifications,
   * on dedicated subscriber connections that `close()` ends. Idempotent.
   */
  async watchExpiry(): Promise<void> {
    if (this.expiryListener) return;
    this.expiryListener = new RedisExpiryListener(this.client, this.prefix, (handle) =>
      this.observer.expired(handle),
    );
    await this.expiryListener.start();
  }

  override async probe(): Promise<SessionStoreProbe> {
    return this.run('ping', () => probeRedis(this.client));
  }

  /** Bounds a call by the command timeout and reports failures to the observer. */
  private run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    // A replica shortfall keeps its own name; withTimeout wraps every other failure.
    return this.observed(
      operation,
      () => withTimeout(operation, this.timeoutMs, call),
      (error) => (error.cause instanceof SessionReplicationError ? error.cause : error),
    );
  }

  /** Remembers a write until it settles, for `close()`. */
  private track<T>(write: Promise<T>): Promise<T> {
    this.inFlight.add(write);
    void write.catch(() => undefined).finally(() => this.inFlight.delete(write));
    return write;
  }

  override ready(timeoutMs: number): Promise<boolean> {
    return waitForReady(this.client, timeoutMs);
  }

  /** Lets writes in flight finish (each is bounded by the command timeout), then closes. */
  override async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.expiryListener?.stop();
    this.locks.close();
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}
