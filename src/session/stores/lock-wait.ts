import type { LockSettings } from './session-store.js';

/** The delay before the next attempt to take a lock: the base delay plus random jitter. */
export function nextAttemptDelay(retryDelayMs: number, retryJitterMs: number): number {
  return retryDelayMs + Math.round(Math.random() * retryJitterMs);
}

/**
 * How long a request waits for a lock in all: as long as `retryCount` attempts at the longest
 * spacing would take (4 s with the defaults). Waiters are woken when the lock is released, so the
 * wait is a time bound, not a number of attempts.
 */
export function waitBoundMs(settings: LockSettings): number {
  return settings.retryCount * (settings.retryDelayMs + settings.retryJitterMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
