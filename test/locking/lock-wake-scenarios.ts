import { randomBytes } from 'node:crypto';
import type {
  HeldSessionLock,
  LockSettings,
  SessionKey,
  SessionStore,
} from '../../src/session/stores/session-store.js';

/** The module's default lock options (see resolve-session-options.ts). */
export const DEFAULT_LOCK: LockSettings = {
  durationMs: 5000,
  retryCount: 40,
  retryDelayMs: 50,
  retryJitterMs: 50,
  timeoutStatus: 423,
};
/** A waiter whose next poll, if it polled, would come only after 20 s. */
export const PATIENT: LockSettings = { ...DEFAULT_LOCK, retryCount: 1, retryDelayMs: 20_000 };

export const newKey = (): SessionKey => ({
  tag: randomBytes(9).toString('base64url'),
  secretHash: randomBytes(16).toString('base64url'),
});

/** `promise`'s value, or 'still waiting' when it has not settled after `ms` (a hang guard). */
export function within<T>(promise: Promise<T>, ms = 3000): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

export const creating = (now: number, releaseLock?: HeldSessionLock) => ({
  now,
  idleTimeoutMs: 60_000,
  create: { absoluteDeadline: now + 3_600_000 },
  set: { '.n': '1' },
  delete: [],
  releaseLock,
});

/**
 * Wake scenarios every store's lock must pass: `stores()` gives two instances of the store
 * over the same data (two app servers; the same object for the memory store), `settled(key)`
 * resolves once a waiter on `waiters` has made its attempts and waits.
 */
export function describeLockWake(
  name: string,
  stores: () => { holders: SessionStore; waiters: SessionStore },
  settled: (key: SessionKey) => Promise<void>,
): void {
  describe(`a lock waiter is woken, not polling (${name})`, () => {
    it('gets the lock at once when the holder commits and releases it in the commit', async () => {
      const { holders, waiters } = stores();
      const key = newKey();
      const held = await holders.acquireLock(key, DEFAULT_LOCK);
      const waiting = waiters.acquireLock(key, PATIENT);
      await settled(key);
      const report = await holders.commit(key, creating(Date.now(), held));
      expect(report.status).toBe('committed');
      const woken = await within(waiting);
      expect(woken).not.toBe('still waiting');
      await (woken as HeldSessionLock).release();
    });

    it('gets the lock at once when the holder releases it without a commit', async () => {
      const { holders, waiters } = stores();
      const key = newKey();
      const held = await holders.acquireLock(key, DEFAULT_LOCK);
      const waiting = waiters.acquireLock(key, PATIENT);
      await settled(key);
      await held.release();
      const woken = await within(waiting);
      expect(woken).not.toBe('still waiting');
      await (woken as HeldSessionLock).release();
    });

    it('gets the lock when the holder vanished and its lock expired', async () => {
      const { holders, waiters } = stores();
      const key = newKey();
      await holders.acquireLock(key, { ...DEFAULT_LOCK, durationMs: 300 });
      const woken = await within(waiters.acquireLock(key, PATIENT));
      expect(woken).not.toBe('still waiting');
      await (woken as HeldSessionLock).release();
    });

    it('serves 20 waiters of one server in arrival order, each as the lock is passed on', async () => {
      const { holders, waiters } = stores();
      const key = newKey();
      const held = await holders.acquireLock(key, DEFAULT_LOCK);
      const order: number[] = [];
      const all = Array.from({ length: 20 }, async (_, i) => {
        const lock = await waiters.acquireLock(key, DEFAULT_LOCK);
        order.push(i);
        await lock.release();
      });
      await settled(key);
      await held.release();
      await within(Promise.all(all));
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('keeps a waiter in line past the bound while the lock passes from waiter to waiter', async () => {
      const { holders, waiters } = stores();
      const key = newKey();
      // A 1 s bound; the lock changes hands every 300 ms, four times: 1.2 s in line for the last.
      const bounded = { ...DEFAULT_LOCK, retryCount: 10, retryDelayMs: 100, retryJitterMs: 0 };
      let held = await holders.acquireLock(key, DEFAULT_LOCK);
      const line = Array.from({ length: 4 }, () => waiters.acquireLock(key, bounded));
      await settled(key);
      for (const next of line) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await held.release();
        const taken = await within(next);
        expect(taken).not.toBe('still waiting');
        held = taken as HeldSessionLock;
      }
      await held.release();
    });

    it('gives up after the bounded wait, also for waiters still in line behind another', async () => {
      const { holders, waiters } = stores();
      const key = newKey();
      const held = await holders.acquireLock(key, { ...DEFAULT_LOCK, durationMs: 60_000 });
      const impatient = { ...DEFAULT_LOCK, retryCount: 3, retryDelayMs: 20, retryJitterMs: 0 };
      const outcomes = await within(
        Promise.all(
          Array.from({ length: 5 }, () =>
            waiters.acquireLock(key, impatient).then(
              () => 'acquired',
              (error: Error & { httpStatus?: number }) => `${error.name} ${error.httpStatus}`,
            ),
          ),
        ),
      );
      expect(outcomes).toEqual(Array(5).fill('SessionLockTimeoutError 423'));
      await held.release();
    });
  });
}
