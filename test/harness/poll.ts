import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown from a {@link waitFor} check to stop polling at once (the condition can no longer hold). */
export class PollAbortedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PollAbortedError';
  }
}

/** Thrown by {@link waitFor} when the condition did not hold in time. */
export class PollTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollTimeoutError';
  }
}

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** Pause between attempts (ms); default 100. */
  readonly intervalMs?: number;
}

/**
 * Polls `check` until it resolves, with a bounded wait and no fixed sleeps beyond `intervalMs`.
 * `check` signals "not yet" by throwing; the last such error's message appears in the timeout
 * error, which names `what` was waited for. Throwing {@link PollAbortedError} stops at once.
 *
 * @param what human-readable condition, e.g. `"replica 127.0.0.1:7001 link up"`.
 * @param check resolves with the result when the condition holds, throws otherwise.
 * @returns the first value `check` resolved with.
 * @throws PollTimeoutError after `timeoutMs`; PollAbortedError as thrown by `check`.
 */
export async function waitFor<T>(
  what: string,
  check: (attempt: number) => Promise<T>,
  options: WaitForOptions,
): Promise<T> {
  const { timeoutMs, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await check(attempt);
    } catch (error) {
      if (error instanceof PollAbortedError) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() + intervalMs > deadline) {
      throw new PollTimeoutError(
        `Timed out after ${timeoutMs} ms waiting for ${what} (last state: ${last})`,
      );
    }
    await sleep(intervalMs);
  }
}

/**
 * Resolves with `promise`'s value, or with `undefined` if it has not settled after `ms`.
 * The timer is cleared either way so it never keeps the process alive.
 */
export async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
