import { randomBase64url } from '../../../security/random-pool.js';
import { SessionLockTimeoutError } from '../../session.errors.js';
import { nextAttemptDelay, sleep } from '../lock-wait.js';
import type { HeldSessionLock, LockSettings } from '../session-store.js';
import { LocalTurns, type Turn } from './local-turns.js';

/** Where leases live: a table row (PostgreSQL), an `add`ed key (Memcached). */
export interface LeaseBackend {
  /**
   * One attempt to take lease `id` for `durationMs`. `holder` is the value holding it when it
   * was refused (`undefined` when unknown), so a waiter can tell a busy lock from a stuck one.
   */
  tryAcquire(
    id: string,
    value: string,
    durationMs: number,
  ): Promise<{ granted: boolean; holder?: string }>;
  /** Pushes the expiry of a lease `value` still holds; `false` when it was lost. */
  extend(id: string, value: string, durationMs: number): Promise<boolean>;
  /** Ends the lease if `value` still holds it. */
  release(id: string, value: string): Promise<void>;
}

/** One attempt at a lease, and what it read in the same round trip once granted. */
export interface LeaseAttempt<T> {
  readonly granted: boolean;
  readonly holder?: string;
  readonly payload?: T;
}

/**
 * Session locks as leases in a store without blocking locks, one attempt per round trip.
 *
 * Requests of this process that wait for the same session form a first-come line: only the first
 * asks the store, and a release hands the turn to the next at once. The wait is bounded like
 * Redis' (`retryCount` attempts, `retryDelayMs` + jitter apart), but counted from the last time
 * the lock changed hands: a busy session serves its whole queue, while a holder that keeps the
 * lock for the whole budget makes its waiters give up with `SessionLockTimeoutError`.
 * Mutual exclusion comes from the store; the fence raised by the load after the grant refuses
 * the commit of a holder that lost its lease.
 */
export class LeaseLocks {
  private readonly turns = new LocalTurns();
  /** What ends the local hold of each lease held in this process, by lease value. */
  private readonly holders = new Map<string, () => void>();
  /** Wakes the waiters of a session when its lock changed hands. */
  private readonly handovers = new Map<string, Set<() => void>>();

  constructor(
    private readonly backend: LeaseBackend,
    /** True when the store's commit releases the lease in its own round trip. */
    private readonly releasableByCommit: boolean,
  ) {}

  async acquire(id: string, settings: LockSettings): Promise<HeldSessionLock> {
    const attempt = (value: string) => this.backend.tryAcquire(id, value, settings.durationMs);
    return (await this.acquireWith(id, settings, attempt)).lock;
  }

  /**
   * As `acquire`, with `attempt` as the one round trip that asks for the lease: once granted it
   * may have read what the caller needs in the same statement (a locked request's load).
   */
  async acquireWith<T>(
    id: string,
    settings: LockSettings,
    attempt: (value: string) => Promise<LeaseAttempt<T>>,
  ): Promise<{ readonly lock: HeldSessionLock; readonly payload?: T }> {
    const value = randomBase64url(16);
    const budgetMs = settings.retryCount * (settings.retryDelayMs + settings.retryJitterMs);
    let deadline = Date.now() + budgetMs;
    const turn = this.turns.join(id);
    let attempts = 0;
    let ourTurn = false;
    try {
      for (;;) {
        const woke = await this.nextEvent(id, turn, deadline);
        if (woke === 'late') break;
        if (woke === 'handover') deadline = Date.now() + budgetMs;
        else {
          ourTurn = true;
          break;
        }
      }
      // Our turn always gets its first attempt, even with no wait left (`retryCount: 0`).
      if (ourTurn || Date.now() <= deadline) {
        let lastHolder: string | undefined;
        for (;;) {
          attempts += 1;
          const { granted, holder, payload } = await attempt(value);
          if (granted) {
            this.handedOver(id);
            return { lock: this.held(id, value, turn, settings.durationMs), payload };
          }
          if (holder !== lastHolder) {
            if (lastHolder !== undefined) deadline = Date.now() + budgetMs;
            lastHolder = holder;
            this.handedOver(id);
          }
          const delay = nextAttemptDelay(settings.retryDelayMs, settings.retryJitterMs);
          if (Date.now() + delay > deadline) break;
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

  /** Waits until it is `turn`'s go, the lock of `id` changes hands, or `deadline` passes. */
  private async nextEvent(
    id: string,
    turn: Turn,
    deadline: number,
  ): Promise<'turn' | 'handover' | 'late'> {
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const waiters = this.handovers.get(id) ?? new Set<() => void>();
    this.handovers.set(id, waiters);
    try {
      return await Promise.race([
        turn.ready.then(() => 'turn' as const),
        new Promise<'handover'>((resolve) => {
          wake = () => resolve('handover');
          waiters.add(wake);
        }),
        new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (wake) waiters.delete(wake);
      if (waiters.size === 0) this.handovers.delete(id);
    }
  }

  private handedOver(id: string): void {
    for (const wake of this.handovers.get(id) ?? []) wake();
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
