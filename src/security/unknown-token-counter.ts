/** Expired entries dropped per hit at most: each hit costs O(1), however many clients expire. */
const EXPIRED_PER_HIT = 8;

/**
 * Counts events per client in fixed windows, in process memory, in a table of at most
 * `maxClients` entries. The table is a `Map` in window-start order (a restarted window moves its
 * client to the back), so expired entries sit at the front and are dropped a few per hit, and a
 * full table evicts its oldest entry: every hit is O(1), whatever the number of clients.
 */
export class UnknownTokenCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  /** Entries dropped so far (expired or evicted); for tests and metrics. */
  evictions = 0;

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
    private readonly maxClients = 10_000,
  ) {}

  /** How many clients the table holds now. */
  get trackedClients(): number {
    return this.windows.size;
  }

  /** Counts one event of `client`; `true` when the client is over the limit. */
  hit(client: string, now = Date.now()): boolean {
    this.dropExpired(now);
    let window = this.windows.get(client);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.delete(client);
      // Full of live clients: forget the one whose window started first.
      if (this.windows.size >= this.maxClients) this.dropOldest();
      window = { start: now, count: 0 };
      this.windows.set(client, window);
    }
    window.count++;
    return window.count > this.maxAttempts;
  }

  private dropExpired(now: number): void {
    for (let i = 0; i < EXPIRED_PER_HIT; i++) {
      const first = this.windows.entries().next();
      if (first.done || now - first.value[1].start < this.windowMs) return;
      this.windows.delete(first.value[0]);
      this.evictions++;
    }
  }

  private dropOldest(): void {
    const first = this.windows.keys().next();
    if (first.done) return;
    this.windows.delete(first.value);
    this.evictions++;
  }
}
