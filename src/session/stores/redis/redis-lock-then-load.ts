import type { SessionStoreObserver } from '../session-store.js';
import { withTimeout } from '../with-timeout.js';
import type { RedisScriptCalls } from './redis-script-calls.js';
import type { LoadReply, LockedLoadReply } from './redis-scripts.js';
import type { LockAttempt } from './redis-session-lock.js';

/** What an attempt needs of the store. */
export interface LockThenLoadParts {
  readonly calls: RedisScriptCalls;
  readonly timeoutMs: number;
  readonly observer: Required<SessionStoreObserver>;
}

/**
 * One attempt at a locked request's first round trip (`lock-then-load.lua`): the lock, and when
 * granted the load with the fence raised. A granted attempt is reported as the request's `load`
 * (a refused one read nothing: the wait for the lock has its own report), a failed one too.
 */
export function lockThenLoadAttempt(
  parts: LockThenLoadParts,
  keys: readonly [session: string, lock: string],
  loadArgs: readonly string[],
  durationMs: number,
): (value: string) => Promise<LockAttempt<LoadReply>> {
  const { calls, timeoutMs, observer } = parts;
  return async (value) => {
    const started = performance.now();
    const args = [...loadArgs, value, String(durationMs)];
    const reply = await withTimeout('load', timeoutMs, async () => {
      return (await calls.run<LockedLoadReply>('sessionLockThenLoad', keys, args)).reply;
    }).catch((error: Error) => {
      observer.operation('load', performance.now() - started, true);
      observer.error('load', error);
      throw error;
    });
    if (reply[0] === 'locked') return { heldForMs: reply[1] };
    observer.operation('load', performance.now() - started, false);
    return { granted: true, payload: reply };
  };
}
