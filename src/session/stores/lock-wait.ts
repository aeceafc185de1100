/** The delay before the next attempt to take a lock: the base delay plus random jitter. */
export function nextAttemptDelay(retryDelayMs: number, retryJitterMs: number): number {
  return retryDelayMs + Math.round(Math.random() * retryJitterMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
