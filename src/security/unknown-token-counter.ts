/**
 * Counts events per client in fixed windows, in process memory: enough to slow a guesser
 * hitting one server; each instance counts on its own.
 */
export class UnknownTokenCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one event of `client`; `true` when the client is over the limit. */
  hit(client: string, now = Date.now()): boolean {
    let window = this.windows.get(client);
    if (!window || now - window.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { start: now, count: 0 };
      this.windows.set(client, window);
    }
    window.count++;
    return window.count > this.maxAttempts;
  }

  // Bounded memory: a flood of distinct addresses cannot grow the map without end.
  private sweep(now: number): void {
    for (const [client, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(client);
    }
  }
}
