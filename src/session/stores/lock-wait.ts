import type { LockSettings } from './session-store.js';

/** The delay before the next attempt to take a lock: the base delay plus random jitter. */
export function nextAttemptDelay(retryDelayMs: number, retryJitterMs: number): number {
  return retryDelayMs + Math.round(Math.random() * retryJitterMs);
}

/**
 * How long a request waits for a lock that does not change hands: as long as `retryCount`
 * attempts at the longest spacing would take (4 s with the defaults). Waiters are woken when the
 * lock is released, so this is a time bound, not a number of attempts; while the lock passes from
 * one waiter of the process to the next, the ones behind keep their place (see LockLines).
 */
export function waitBoundMs(settings: LockSettings): number {
  return settings.retryCount * (settings.retryDelayMs + settings.retryJitterMs);
}

/** The longest any request waits for a lock, moving line or not: 10× the bound (40 s). */
export function hardWaitBoundMs(settings: LockSettings): number {
  return 10 * waitBoundMs(settings);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
