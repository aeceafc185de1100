import type { Cluster, Redis } from 'ioredis';
import type { SessionKey } from '../../security/session-token.js';
import { decodeSessionHash, encodeChange } from './redis-hash-layout.js';
import { type SessionScripts, withSessionScripts } from './redis-scripts.js';
import { RedisSessionLocks } from './redis-session-lock.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type LockSettings,
  type LoadOptions,
  type LoadResult,
  type SessionChange,
  SessionStore,
} from './session-store.js';
import { withTimeout } from './with-timeout.js';

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
}

/**
 * Sessions in Redis, one hash per session at `prefix{tag}secretHash`. Every operation is one
 * round trip (a Lua script or one command), and works unchanged on standalone, Sentinel and
 * Cluster: all keys of one session share the `{tag}` slot.
 */
export class RedisSessionStore extends SessionStore {
  readonly client: Redis | Cluster;
  private readonly scripts: SessionScripts;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly ownsClient: boolean;
  private readonly locks: RedisSessionLocks;

  constructor(options: RedisSessionStoreOptions) {
    super();
    this.client = options.client;
    this.scripts = withSessionScripts(options.client);
    this.prefix = options.prefix ?? 'sess:';
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
    this.ownsClient = options.ownsClient ?? false;
    this.locks = new RedisSessionLocks(options.client, options.lockClients);
  }

  /** The Redis key of a session. */
  keyOf(key: SessionKey): string {
    return `${this.prefix}{${key.tag}}${key.secretHash}`;
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const reply = await withTimeout('load', this.timeoutMs, () =>
      this.scripts.sessionLoad(
        this.keyOf(key),
        String(options.now),
        String(options.idleTimeoutMs),
        String(options.slideAfterMs),
        options.raiseFence ? '1' : '0',
      ),
    );
    if (reply[0] !== 'found') return { status: reply[0] };
    return { status: 'found', slid: reply[1] === '1', session: decodeSessionHash(reply[2]) };
  }

  /** The key of a session's lock: same slot as the session. */
  lockKeyOf(key: SessionKey): string {
    return `${this.keyOf(key)}:lock`;
  }

  async acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.locks.acquire(this.lockKeyOf(key), settings);
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const fields = encodeChange(change);
    const releasing = change.releaseLock?.releasableByCommit ? change.releaseLock.value : '';
    const reply = await withTimeout('commit', this.timeoutMs, () =>
      this.scripts.sessionCommit(
        this.keyOf(key),
        this.keyOf(change.moveTo ?? key),
        this.lockKeyOf(key),
        change.now,
        change.idleTimeoutMs,
        change.create ? change.create.absoluteDeadline : '',
        change.expectedVersion ?? '',
        change.fence ?? '',
        change.clearData ? '1' : '0',
        releasing,
        fields.set.length / 2,
        fields.delete.length,
        ...fields.set,
        ...fields.delete,
      ),
    );
    switch (reply[0]) {
      case 'committed':
        return { status: 'committed', version: reply[1], expiresAt: reply[2] };
      case 'conflict':
        return { status: 'conflict', storedVersion: reply[1] };
      case 'fenced':
        return { status: 'fenced', storedFence: reply[1] };
      default:
        return { status: reply[0] };
    }
  }

  async destroy(key: SessionKey): Promise<boolean> {
    const removed = await withTimeout('destroy', this.timeoutMs, () =>
      this.client.del(this.keyOf(key)),
    );
    return removed > 0;
  }

  override async ready(timeoutMs: number): Promise<boolean> {
    const client = this.client;
    if (client.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      client.on('ready', onReady);
    });
  }

  override async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}
