import type { Cluster, Redis } from 'ioredis';
import Redlock, { type Lock } from 'redlock';
import { SessionLockTimeoutError } from '../../session.errors.js';
import type { HeldSessionLock, LockSettings } from '../session-store.js';

/**
 * Session locks with redlock. By default the lock lives on the session store's own Redis, in the
 * session's slot, so a commit can release it in the same round trip; with several independent
 * masters redlock takes a quorum of them and releases on its own.
 */
export class RedisSessionLocks {
  private readonly clients: readonly (Redis | Cluster)[];
  private readonly sharesStoreClient: boolean;
  /** One Redlock per retry policy: routes may wait differently. */
  private readonly redlocks = new Map<string, Redlock>();

  constructor(storeClient: Redis | Cluster, quorumClients?: readonly (Redis | Cluster)[]) {
    this.clients = quorumClients && quorumClients.length > 0 ? quorumClients : [storeClient];
    this.sharesStoreClient = this.clients.length === 1 && this.clients[0] === storeClient;
  }

  async acquire(resource: string, settings: LockSettings): Promise<HeldSessionLock> {
    const redlock = this.redlockFor(settings);
    let lock: Lock;
    try {
      lock = await redlock.acquire([resource], settings.durationMs);
    } catch (error) {
      throw SessionLockTimeoutError.after(settings.retryCount + 1, settings.timeoutStatus, error);
    }
    return {
      value: lock.value,
      releasableByCommit: this.sharesStoreClient,
      extend: async (durationMs) => {
        lock = await lock.extend(durationMs);
      },
      release: async () => {
        await lock.release().catch(() => undefined);
      },
    };
  }

  private redlockFor(settings: LockSettings): Redlock {
    const policy = `${settings.retryCount}/${settings.retryDelayMs}/${settings.retryJitterMs}`;
    let redlock = this.redlocks.get(policy);
    if (!redlock) {
      redlock = new Redlock(this.clients, {
        retryCount: settings.retryCount,
        retryDelay: settings.retryDelayMs,
        retryJitter: settings.retryJitterMs,
      });
      this.redlocks.set(policy, redlock);
    }
    return redlock;
  }
}
