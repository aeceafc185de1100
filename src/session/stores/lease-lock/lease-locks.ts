import { randomBytes } from 'node:crypto';
import { SessionLockTimeoutError } from '../../session.errors.js';
import { nextAttemptDelay, sleep } from '../lock-wait.js';
import type { HeldSessionLock, LockSettings } from '../session-store.js';
import { LocalTurns, type Turn } from './local-turns.js';

/** Where leases live: a table row (PostgreSQL), an `add`ed key (Memcached). */
export interface LeaseBackend {
  /** One attempt to take lease `id` for `durationMs`; `true` when granted to `value`. */
  tryAcquire(id: string, value: string, durationMs: number): Promise<boolean>;
  /** Pushes the expiry of a lease `value` still holds; `false` when it was lost. */
  extend(id: string, value: string, durationMs: number): Promise<boolean>;
  /** Ends the lease if `value` still holds it. */
  release(id: string, value: string): Promise<void>;
}

/**
 * Session locks as leases in a store without blocking locks: one attempt per round trip, retried
 * as the lock settings say. Requests of this process waiting for the same session queue locally
 * (only the first asks the store), and a lease that runs out unextended lets the next one try.
 * Mutual exclusion comes from the store; the fence raised by the load after the grant refuses the
 * commit of a holder that lost its lease.
 */
export class LeaseLocks {
  private readonly turns = new LocalTurns();
  /** What ends the local hold of each lease held in this process, by lease value. */
  private readonly holders = new Map<string, () => void>();

  constructor(
    private readonly backend: LeaseBackend,
    /** True when the store's commit releases the lease in its own round trip. */
    private readonly releasableByCommit: boolean,
  ) {}

  async acquire(id: string, settings: LockSettings): Promise<HeldSessionLock> {
    const value = randomBytes(16).toString('base64url');
    const deadline =
      Date.now() + settings.retryCount * (settings.retryDelayMs + settings.retryJitterMs);
    const turn = this.turns.join(id);
    let attempts = 0;
    try {
      if (await inTime(turn.ready, deadline)) {
        for (;;) {
          attempts += 1;
          if (await this.backend.tryAcquire(id, value, settings.durationMs)) {
            return this.held(id, value, turn, settings.durationMs);
          }
          const delay = nextAttemptDelay(settings.retryDelayMs, settings.retryJitterMs);
          if (attempts > settings.retryCount || Date.now() + delay > deadline) break;
          await sleep(delay);
        }
      }
    } catch (error) {
      this.turns.leave(id, turn);
      throw error;
    }
    this.turns.leave(id, turn);
    throw SessionLockTimeoutError.after(Math.max(attempts, 1), settings.timeoutStatus);
  }

  /**
   * The store's commit released lease `value` in its own round trip (whatever its outcome):
   * the next local waiter may try. Unknown values are ignored.
   */
  settled(value: string): void {
    this.holders.get(value)?.();
  }

  private held(id: string, value: string, turn: Turn, durationMs: number): HeldSessionLock {
    // A lease that runs out (the holder overran it) lets the next local waiter try the store.
    let expiry = setTimeout(() => this.turns.leave(id, turn), durationMs);
    expiry.unref();
    const settle = () => {
      clearTimeout(expiry);
      this.holders.delete(value);
      this.turns.leave(id, turn);
    };
    this.holders.set(value, settle);
    return {
      value,
      releasableByCommit: this.releasableByCommit,
      extend: async (ms) => {
        if (!(await this.backend.extend(id, value, ms))) {
          throw new Error('the session lock was lost before it could be extended');
        }
        if (!this.holders.has(value)) return;
        clearTimeout(expiry);
        expiry = setTimeout(() => this.turns.leave(id, turn), ms);
        expiry.unref();
      },
      release: async () => {
        try {
          await this.backend.release(id, value);
        } catch {
          // Never throws: the lease runs out by itself.
        } finally {
          settle();
        }
      },
    };
  }
}

/** Resolves `true` once `ready` settles, `false` if `deadline` (epoch ms) comes first. */
async function inTime(ready: Promise<void>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([ready.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
