import { isPastDeadline } from '../session-deadlines.js';
import type { Cluster, Redis } from 'ioredis';
import { publicIdOf, type SessionKey } from '../../../security/session-token.js';
import { DelegatingSessionStore } from '../delegating-session-store.js';
import type {
  CommitResult,
  DestroyOptions,
  DestroyResult,
  LoadOptions,
  LoadResult,
  LockedLoad,
  LockSettings,
  SessionChange,
  SessionStore,
  StoredSession,
} from '../session-store.js';
import { InvalidationBus } from './invalidation-bus.js';
import { LruMap } from './lru-map.js';
import { DEFAULT_NEAR_CACHE_MAX_BYTES } from './near-cache-options.js';

export interface NearCacheOptions {
  /** Sessions kept per instance; the least recently used goes first. @default 10_000 */
  readonly maxEntries?: number;
  /**
   * Bytes of session data kept per instance (keys and values as UTF-16, plus a fixed overhead
   * per session); the least recently used go first. @default 64 MiB
   */
  readonly maxBytes?: number;
  /** Pub/sub channel of invalidations, shared by every instance. @default 'sess:invalidate' */
  readonly channel?: string;
  /**
   * Longest wait of a write for every instance to confirm its invalidation, ms; past it the
   * write answers anyway and a `store-error` ('invalidate') is reported. @default 1000
   */
  readonly ackTimeoutMs?: number;
}

/** Hits and misses of a near cache since it started. */
export interface NearCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses), 0 before the first load. */
  readonly hitRatio: number;
  readonly size: number;
  /** Bytes held, as `maxBytes` counts them. */
  readonly bytes: number;
}

/** What a cached session costs beyond its data (metadata, map entry), roughly. */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * Replication of hot sessions: each instance keeps recently used sessions in memory, kept
 * coherent through Redis pub/sub ({@link InvalidationBus}). A read that finds the session here,
 * within its deadlines and before its idle deadline is due to slide, costs no Redis round trip.
 * Every commit and destroy publishes the keys it wrote or deleted and returns once every
 * instance has dropped them (or `ackTimeoutMs` passed, reported). A load fills the cache only
 * when no invalidation arrived while it ran, never through a grace pointer, and only while the
 * subscription is live. Locked loads and anything that writes always go to Redis.
 */
export class NearCachedSessionStore extends DelegatingSessionStore {
  private readonly cache: LruMap<string, StoredSession>;
  private readonly bus: InvalidationBus;
  private readonly ackTimeoutMs: number;
  /** Raised by every invalidation and subscription change; a load fills only if unchanged. */
  private epoch = 0;
  /** An invalidation could not be published: the next one flushes every instance. */
  private owesFlush = false;
  private flushRetry?: NodeJS.Timeout;
  private hits = 0;
  private misses = 0;

  constructor(inner: SessionStore, publisher: Redis | Cluster, options: NearCacheOptions = {}) {
    super(inner);
    this.cache = new LruMap({
      maxEntries: options.maxEntries ?? 10_000,
      maxBytes: options.maxBytes ?? DEFAULT_NEAR_CACHE_MAX_BYTES,
      sizeOf: sizeOfSession,
    });
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.bus = new InvalidationBus(publisher, {
      channel: options.channel ?? 'sess:invalidate',
      ackTimeoutMs: this.ackTimeoutMs,
      onInvalidate: (ids) => this.drop(ids),
      // Invalidations may have been missed while not subscribed: start over either way.
      onLiveChange: () => this.drop(['*']),
      onError: (operation, error) => this.observer.error(`near-cache ${operation}`, error),
    });
    this.bus.start();
  }

  stats(): NearCacheStats {
    const total = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      hitRatio: total === 0 ? 0 : this.hits / total,
      size: this.cache.size,
      bytes: this.cache.bytes,
    };
  }

  override async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const id = publicIdOf(key);
    const cached = options.raiseFence || !this.bus.isLive ? undefined : this.cache.get(id);
    if (cached && this.servable(cached, options)) {
      this.hits += 1;
      return { status: 'found', slid: false, session: cached };
    }
    this.misses += 1;
    const epoch = this.epoch;
    const result = await this.inner.load(key, options);
    const fill =
      result.status === 'found' &&
      !options.raiseFence &&
      !result.aliased &&
      this.bus.isLive &&
      this.epoch === epoch;
    if (fill) this.cache.set(id, result.session);
    else this.cache.delete(id);
    return result;
  }

  /** Never served from the cache: the inner store's lock and load in one; the copy is dropped. */
  override async loadLocked(
    key: SessionKey,
    settings: LockSettings,
    options: LoadOptions,
  ): Promise<LockedLoad> {
    this.misses += 1;
    const locked = await this.inner.loadLocked(key, settings, options);
    this.cache.delete(publicIdOf(key));
    return locked;
  }

  override async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const ids = [publicIdOf(key), ...(change.moveTo ? [publicIdOf(change.moveTo)] : [])];
    const { result, writtenKey } = await this.writing(ids, () =>
      this.inner.commitReporting(key, change),
    );
    if (result.status === 'committed') {
      // Landed through a pointer on a key the inner store does not name: drop everything.
      if (result.aliased && !writtenKey) await this.invalidate(['*']);
      else await this.invalidate(writtenKey ? [...ids, publicIdOf(writtenKey)] : ids);
    }
    return result;
  }

  override async destroy(key: SessionKey, options?: DestroyOptions): Promise<boolean> {
    return (await this.destroyReporting(key, options)).existed;
  }

  /**
   * A destroy revokes the session's whole tag (a key a concurrent rotation moved it to included),
   * so every instance drops every copy of the tag, not only the keys the script deleted.
   */
  override async destroyReporting(
    key: SessionKey,
    options?: DestroyOptions,
  ): Promise<DestroyResult> {
    const ids = [publicIdOf(key), tagIdOf(key)];
    const result = await this.writing(ids, () => this.inner.destroyReporting(key, options));
    await this.invalidate([...ids, ...result.deletedKeys.map(publicIdOf)]);
    return result;
  }

  override async ready(timeoutMs: number): Promise<boolean> {
    const [ready, live] = await Promise.all([
      this.inner.ready(timeoutMs),
      this.bus.whenLive(timeoutMs),
    ]);
    return ready && live;
  }

  override async close(): Promise<void> {
    clearTimeout(this.flushRetry);
    await this.bus.close();
    this.cache.clear();
    await super.close();
  }

  /**
   * Drops `ids` here, then writes. A failed write may have run all the same (timeout, replica
   * shortfall), through a pointer this store cannot see: every instance drops everything.
   */
  private async writing<T>(ids: readonly string[], write: () => Promise<T>): Promise<T> {
    this.drop(ids);
    try {
      return await write();
    } catch (error) {
      await this.invalidate(['*']);
      throw error;
    }
  }

  /** A cached copy serves only inside its deadlines and before its idle deadline must slide. */
  private servable(session: StoredSession, options: LoadOptions): boolean {
    const { now, idleTimeoutMs, slideAfterMs } = options;
    const { lastAccessAt } = session.meta;
    return !isPastDeadline(session.meta, now, idleTimeoutMs) && now - lastAccessAt < slideAfterMs;
  }

  private drop(ids: readonly string[]): void {
    this.epoch += 1;
    if (ids.includes('*')) this.cache.clear();
    else
      for (const id of ids) {
        if (!id.endsWith(TAG_WILDCARD)) this.cache.delete(id);
        else this.cache.deleteWhere((cached) => cached.startsWith(id.slice(0, -1)));
      }
  }

  /**
   * Drops the ids here and on every instance. A failure is reported, not thrown: the write
   * stands. When the message may not have gone out, every instance is flushed as soon as Redis
   * takes a message again.
   */
  private async invalidate(ids: readonly string[]): Promise<void> {
    this.drop(ids);
    const flushing = this.owesFlush;
    try {
      await this.bus.publish(flushing ? ['*'] : ids);
      if (flushing) this.owesFlush = false;
    } catch (error) {
      this.observer.error('invalidate', error as Error);
      this.owesFlush = true;
      this.retryFlush();
    }
  }

  private retryFlush(): void {
    if (this.flushRetry) return;
    this.flushRetry = setTimeout(() => {
      this.flushRetry = undefined;
      if (this.owesFlush) void this.invalidate(['*']);
    }, this.ackTimeoutMs).unref();
  }
}

/** What `maxBytes` counts of a session: its keys and values as UTF-16, plus a fixed overhead. */
function sizeOfSession(session: StoredSession): number {
  let chars = 0;
  for (const [name, value] of Object.entries(session.data)) chars += name.length + value.length;
  return chars * 2 + ENTRY_OVERHEAD_BYTES;
}

/** Ends an invalidated id that stands for every key of a tag (`tag.*`). */
const TAG_WILDCARD = '.*';

/** Every cached key of `key`'s tag: a revoked tag (see destroy.lua) takes them all. */
function tagIdOf(key: SessionKey): string {
  return `${key.tag}${TAG_WILDCARD}`;
}
