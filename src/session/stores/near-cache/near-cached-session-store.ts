import type { Cluster, Redis } from 'ioredis';
import type { SessionKey } from '../../../security/session-token.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockSettings,
  type SessionChange,
  SessionStore,
  type SessionStoreObserver,
  type SessionStoreProbe,
  type SessionSummary,
  type StoredSession,
} from '../session-store.js';
import { LruMap } from './lru-map.js';

export interface NearCacheOptions {
  /** Sessions kept per instance; the least recently used goes first. @default 10_000 */
  readonly maxEntries?: number;
  /** Pub/sub channel of invalidations, shared by every instance. @default 'sess:invalidate' */
  readonly channel?: string;
}

/** Hits and misses of a near cache since it started. */
export interface NearCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses), 0 before the first load. */
  readonly hitRatio: number;
  readonly size: number;
}

/**
 * Replication of hot sessions: each instance keeps recently used sessions in memory, kept
 * coherent through Redis pub/sub. A read that finds the session here, within its deadlines and
 * before its idle deadline is due to slide, costs no Redis round trip. Every commit and destroy
 * publishes an invalidation and waits for Redis to hand it to every subscribed instance before
 * it returns, so the writer's response is sent after every other instance's copy is doomed.
 * Locked loads and anything that writes always go to Redis.
 */
export class NearCachedSessionStore extends SessionStore {
  private readonly cache: LruMap<string, StoredSession>;
  private readonly channel: string;
  private readonly subscriber: Redis | Cluster;
  private hits = 0;
  private misses = 0;
  private readonly subscribed: Promise<unknown>;

  constructor(
    private readonly inner: SessionStore,
    private readonly publisher: Redis | Cluster,
    options: NearCacheOptions = {},
  ) {
    super();
    this.cache = new LruMap(options.maxEntries ?? 10_000);
    this.channel = options.channel ?? 'sess:invalidate';
    // duplicate() on the union is not callable in TS: each client type has its own signature.
    // The subscriber queues its SUBSCRIBE until connected (the module's own clients fail fast
    // and would drop it), and ioredis re-subscribes after every reconnect.
    this.subscriber =
      'isCluster' in publisher && publisher.isCluster
        ? (publisher as Cluster).duplicate(undefined, { enableOfflineQueue: true })
        : (publisher as Redis).duplicate({ enableOfflineQueue: true });
    const events: NodeJS.EventEmitter = this.subscriber;
    events.on('message', (channel: string, id: string) => {
      if (channel === this.channel) this.cache.delete(id);
    });
    // While the subscription is down, invalidations may be missed: forget everything.
    events.on('close', () => this.cache.clear());
    this.subscribed = this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  stats(): NearCacheStats {
    const total = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      hitRatio: total === 0 ? 0 : this.hits / total,
      size: this.cache.size,
    };
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const id = idOf(key);
    const cached = options.raiseFence ? undefined : this.cache.get(id);
    if (cached && this.servable(cached, options)) {
      this.hits += 1;
      return { status: 'found', slid: false, session: cached };
    }
    this.misses += 1;
    const result = await this.inner.load(key, options);
    if (result.status === 'found' && !options.raiseFence) this.cache.set(id, result.session);
    else this.cache.delete(id);
    return result;
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    this.cache.delete(idOf(key));
    const result = await this.inner.commit(key, change);
    await this.invalidate(key);
    return result;
  }

  async destroy(key: SessionKey): Promise<boolean> {
    this.cache.delete(idOf(key));
    const existed = await this.inner.destroy(key);
    await this.invalidate(key);
    return existed;
  }

  acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.inner.acquireLock(key, settings);
  }

  updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    return this.inner.updateIndex(principalId, change);
  }

  describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    return this.inner.describe(keys, options);
  }

  override probe(): Promise<SessionStoreProbe> {
    return this.inner.probe();
  }

  override observe(observer: SessionStoreObserver): () => void {
    return this.inner.observe(observer);
  }

  override async ready(timeoutMs: number): Promise<boolean> {
    const ready = await this.inner.ready(timeoutMs);
    await this.subscribed;
    return ready;
  }

  override async close(): Promise<void> {
    this.cache.clear();
    this.subscriber.disconnect();
    await this.inner.close();
  }

  /** A cached copy serves only inside its deadlines and before its idle deadline must slide. */
  private servable(session: StoredSession, options: LoadOptions): boolean {
    const { now, idleTimeoutMs, slideAfterMs } = options;
    const { lastAccessAt, absoluteDeadline } = session.meta;
    return (
      now < absoluteDeadline &&
      now < lastAccessAt + idleTimeoutMs &&
      now - lastAccessAt < slideAfterMs
    );
  }

  /** Publishes the invalidation; PUBLISH returns once Redis handed it to every subscriber. */
  private async invalidate(key: SessionKey): Promise<void> {
    await this.publisher.publish(this.channel, idOf(key)).catch(() => undefined);
  }
}

function idOf(key: SessionKey): string {
  return `${key.tag}.${key.secretHash}`;
}
