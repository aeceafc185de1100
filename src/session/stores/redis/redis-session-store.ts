import { isPastDeadline } from '../session-deadlines.js';
import type { Cluster, Redis } from 'ioredis';
import type { SessionKey } from '../../../security/session-token.js';
import { SessionReplicationError } from '../../management/management.errors.js';
import { RedisExpiryListener } from './redis-expiry-listener.js';
import { probeRedis } from './redis-probe.js';
import {
  decodeSessionHash,
  decodeSummary,
  encodeChange,
  SUMMARY_FIELDS,
} from './redis-hash-layout.js';
import { isNonLocalKey, RedisScriptCalls, type ReplicaWait } from './redis-script-calls.js';
import {
  type CommitReply,
  type LoadReply,
  type SessionScriptName,
  withSessionScripts,
} from './redis-scripts.js';
import { RedisSessionLocks } from './redis-session-lock.js';
import { publicIdOf, keyOfPublicId } from '../../../security/session-token.js';
import {
  type CommitReport,
  type CommitResult,
  type DestroyOptions,
  type DestroyResult,
  type HeldSessionLock,
  type IndexChange,
  type IndexedSession,
  type IndexResult,
  type SessionStoreProbe,
  type SessionSummary,
  type LockSettings,
  type LoadOptions,
  type LoadResult,
  type SessionChange,
  SessionStore,
} from '../session-store.js';
import { waitForReady } from '../wait-for-ready.js';
import { withTimeout } from '../with-timeout.js';

export interface RedisSessionStoreOptions {
  /** A standalone, Sentinel-backed or Cluster client. */
  readonly client: Redis | Cluster;
  /** Prefix of every key this store writes. @default 'sess:' */
  readonly prefix?: string;
  /** Longest wait for one store operation before it fails with 503. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** Close the client in `close()`: true only for clients the module built itself. @default false */
  readonly ownsClient?: boolean;
  /**
   * Independent Redis masters for redlock's quorum. @default [] (the lock lives on `client`,
   * and a commit releases it in the same round trip)
   */
  readonly lockClients?: readonly (Redis | Cluster)[];
  /**
   * Replicas that must hold a write before it counts: every commit, destroy and index update is
   * followed by `WAIT replicaAcks replicaAckTimeoutMs` in the same pipeline, on the node owning
   * the key's slot (no extra round trip, but the reply waits for replication). Lock grants and
   * the idle slide of a load are not waited for. @default 0 (no WAIT)
   */
  readonly replicaAcks?: number;
  /** Longest WAIT for the replicas, ms. @default half of `commandTimeoutMs` */
  readonly replicaAckTimeoutMs?: number;
  /**
   * When fewer replicas answered in time: 'fail' raises `SessionReplicationError` (503; the write
   * happened on the master but may not survive its loss), 'warn' accepts the commit and reports
   * it (`store-error` event with operation 'replicate'). @default 'fail'
   */
  readonly onReplicaShortfall?: 'fail' | 'warn';
  /**
   * The longest a session lives (the module passes `absoluteTimeoutMs`): how long a destroyed
   * session's tag stays revoked when its own deadline cannot be read. @default 86_400_000 (24 h)
   */
  readonly maxSessionLifetimeMs?: number;
}

/**
 * Sessions in Redis, one hash per session at `prefix{tag}secretHash`. Every operation is one
 * round trip (a Lua script or one command), and works unchanged on standalone, Sentinel and
 * Cluster: all keys of one session share the `{tag}` slot.
 */
export class RedisSessionStore extends SessionStore {
  readonly client: Redis | Cluster;
  private readonly calls: RedisScriptCalls;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly ownsClient: boolean;
  private readonly locks: RedisSessionLocks;
  private readonly replicaAcks: number;
  private readonly replicaAckTimeoutMs: number;
  private readonly onReplicaShortfall: 'fail' | 'warn';
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
    this.replicaAcks = options.replicaAcks ?? 0;
    this.replicaAckTimeoutMs = options.replicaAckTimeoutMs ?? Math.floor(this.timeoutMs / 2);
    this.onReplicaShortfall = options.onReplicaShortfall ?? 'fail';
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

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const reply = await this.run('load', () => this.loadScript(key, options));
    if (reply[0] !== 'found') return { status: reply[0] };
    return {
      status: 'found',
      slid: reply[1] === '1',
      session: decodeSessionHash(reply[2]),
      ...(reply[3] === '1' && { aliased: true }),
    };
  }

  /**
   * The load script, which also checks the tag's tombstone. While the session's slot migrates, a
   * node refuses a script that touches a key it lacks ("non local key"), and the tombstone is
   * usually absent: then the script runs without the check and `EXISTS` asks for the tombstone on
   * its own (a single-key command follows ASK), one more round trip only during a migration.
   */
  private async loadScript(key: SessionKey, options: LoadOptions): Promise<LoadReply> {
    const args = [
      String(options.now),
      String(options.idleTimeoutMs),
      String(options.slideAfterMs),
      options.raiseFence ? '1' : '0',
    ];
    const keys = [this.keyOf(key)];
    try {
      return (await this.calls.run<LoadReply>('sessionLoad', keys, [...args, '0'], undefined, true))
        .reply;
    } catch (error) {
      if (!isNonLocalKey(error)) throw error;
      const { reply } = await this.calls.run<LoadReply>('sessionLoad', keys, [...args, '1']);
      if (reply[0] !== 'found') return reply;
      const revoked = await this.client.exists(this.tombstoneKeyOf(key));
      return revoked === 1 ? ['missing'] : reply;
    }
  }

  /** The key of a session's lock: same slot as the session. */
  lockKeyOf(key: SessionKey): string {
    return `${this.keyOf(key)}:lock`;
  }

  async acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    const started = performance.now();
    try {
      const lock = await this.locks.acquire(this.lockKeyOf(key), settings);
      this.observer.operation('lock', performance.now() - started, false);
      return lock;
    } catch (error) {
      this.observer.operation('lock', performance.now() - started, true);
      throw error;
    }
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    return (await this.commitReporting(key, change)).result;
  }

  override async commitReporting(key: SessionKey, change: SessionChange): Promise<CommitReport> {
    const fields = encodeChange(change);
    const releasing = change.releaseLock?.releasableByCommit ? change.releaseLock.value : '';
    const { reply: result, replicas } = await this.track(
      this.run('commit', () =>
        this.write<CommitReply>(
          'sessionCommit',
          [this.keyOf(key), this.keyOf(change.moveTo ?? key), this.lockKeyOf(key)],
          [
            change.now,
            change.idleTimeoutMs,
            change.create ? change.create.absoluteDeadline : '',
            change.expectedVersion ?? '',
            change.fence ?? '',
            change.clearData ? '1' : '0',
            releasing,
            change.rotation ? change.rotation.graceMs : '',
            fields.set.length / 2,
            fields.delete.length,
            ...fields.set,
            ...fields.delete,
            change.maxBytes ?? '',
          ],
          (reply) => reply[0] === 'committed',
        ),
      ),
    );
    if (result[0] === 'committed' && result[4] !== this.keyOf(key)) {
      return { result: this.resultOf(result, replicas), writtenKey: this.sessionKeyOf(result[4]) };
    }
    return { result: this.resultOf(result, replicas) };
  }

  private resultOf(result: CommitReply, replicas: number | undefined): CommitResult {
    switch (result[0]) {
      case 'committed':
        return {
          status: 'committed',
          version: result[1],
          expiresAt: result[2],
          replicas,
          ...(result[3] === 1 && { aliased: true }),
        };
      case 'conflict':
        return { status: 'conflict', storedVersion: result[1] };
      case 'fenced':
        return { status: 'fenced', storedFence: result[1] };
      case 'toolarge':
        return { status: 'too-large', bytes: result[1] };
      default:
        return { status: result[0] };
    }
  }

  /**
   * A writing script, and with `replicaAcks` a `WAIT` in the same pipeline: a pipeline goes to
   * the node owning its keys' slot, so on Cluster the WAIT reaches the key's master too. The
   * replica count is checked when `wrote(reply)` says the script changed something.
   */
  private async write<T>(
    name: SessionScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
    wrote: (reply: T) => boolean,
  ): Promise<{ reply: T; replicas?: number }> {
    const wait: ReplicaWait | undefined =
      this.replicaAcks > 0
        ? { replicas: this.replicaAcks, timeoutMs: this.replicaAckTimeoutMs }
        : undefined;
    const outcome = await this.calls.run<T>(name, keys, args, wait);
    if (outcome.replicas === undefined || !wrote(outcome.reply)) {
      return { reply: outcome.reply, replicas: undefined };
    }
    if (outcome.replicas < this.replicaAcks) {
      if (this.onReplicaShortfall === 'fail') {
        throw SessionReplicationError.shortfall(this.replicaAcks, outcome.replicas);
      }
      this.observer.replicaShortfall({
        requested: this.replicaAcks,
        acknowledged: outcome.replicas,
      });
    }
    return outcome;
  }

  async destroy(key: SessionKey, options: DestroyOptions = {}): Promise<boolean> {
    return (await this.destroyReporting(key, options)).existed;
  }

  override async destroyReporting(
    key: SessionKey,
    options: DestroyOptions = {},
  ): Promise<DestroyResult> {
    const { reply } = await this.track(
      this.run('destroy', () =>
        this.write<[number, ...string[]]>(
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
    const remove = (change.remove ?? []).map(publicIdOf);
    const add = change.add ? [publicIdOf(change.add.key), change.add.deadline] : ['', ''];
    const cap = change.cap
      ? [change.cap.limit, change.cap.onLimit === 'refuse' ? 'refuse' : 'evict']
      : ['', ''];
    const list = change.list === false ? '0' : '1';
    const { reply } = await this.track(
      this.run('index', () =>
        this.write<(string | number)[]>(
          'sessionIndex',
          [this.indexKeyOf(principalId)],
          [change.now, remove.length, ...remove, ...add, ...cap, list],
          () => true,
        ),
      ),
    );
    const evictedCount = Number(reply[3]);
    const evicted = indexedSessionsOf(reply.slice(4, 4 + 2 * evictedCount));
    const sessions = indexedSessionsOf(reply.slice(4 + 2 * evictedCount));
    const detailed = change.cap !== undefined || change.list === false;
    return {
      removed: Number(reply[0]),
      sessions,
      ...(detailed && { count: Number(reply[2]), refused: reply[1] === 1, evicted }),
    };
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

/** `[handle, deadline, handle, deadline, ...]` of an index reply as index members. */
function indexedSessionsOf(pairs: readonly (string | number)[]): IndexedSession[] {
  const sessions: IndexedSession[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const key = keyOfPublicId(String(pairs[i]));
    if (key) sessions.push({ key, deadline: Number(pairs[i + 1]) });
  }
  return sessions;
}
