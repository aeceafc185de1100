import type { LeaseAttempt, LeaseBackend } from '../lease-lock/lease-locks.js';
import type { CasValue, MemcachedNode } from './memcached-node.js';
import { lifetimeFor } from './memcached-record.js';

/** Most lease CAS values remembered for their release (a bounded map, oldest out first). */
const MAX_SEEN_LEASES = 10_000;

/**
 * Session lock leases as Memcached keys: taken with `add`, the value `owner|expiresAt` (app
 * clock, ms) so a lease shorter than Memcached's one-second TTL still ends on time; an expired
 * or released lease is taken over, extended and released with `cas`, never a blind write.
 *
 * A session and its lease live on one server, reached through one connection that answers in
 * order: a read sent right behind a command runs after it, in the same round trip.
 */
export class MemcachedLeaseBackend implements LeaseBackend {
  /** The CAS of leases read back while held, by lease value: their release is one `cas`. */
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly nodeOf: (id: string) => MemcachedNode,
    private readonly keyOf: (id: string) => string,
    private readonly run: <T>(operation: string, call: () => Promise<T>) => Promise<T>,
  ) {}

  tryAcquire(id: string, value: string, durationMs: number): Promise<LeaseAttempt<never>> {
    return this.attempt(id, value, durationMs);
  }

  /**
   * One attempt at lease `id`, in one round trip: the `add`, a `gets` of the lease and `beside`
   * (a read of the session) sent together. When the `add` grants the lease, the reads ran under
   * it, and the lease's CAS is kept for the release. When the lease is there but released or run
   * out (a release leaves `|0` for a second), it is taken over with `cas` in one more round trip;
   * the payload was read before that, so it may be stale (the fence's `cas` finds out).
   */
  async attempt<T>(
    id: string,
    value: string,
    durationMs: number,
    beside?: () => Promise<T>,
  ): Promise<LeaseAttempt<T>> {
    const node = this.nodeOf(id);
    const key = this.keyOf(id);
    const lease = `${value}|${Date.now() + durationMs}`;
    return this.run('lock-attempt', async () => {
      const [added, current, payload] = await Promise.all([
        node.add(key, lease, lifetimeFor(durationMs)),
        node.gets(key),
        // A failed read only costs the load that follows a read of its own.
        beside?.().catch(() => undefined),
      ]);
      if (added) {
        if (current && parse(current.value)[0] === value) this.remember(value, current.cas);
        return { granted: true, payload };
      }
      if (!current) return { granted: false };
      const [holder, until] = parse(current.value);
      if (until > Date.now()) return { granted: false, holder };
      const granted = await node.cas(key, lease, current.cas, lifetimeFor(durationMs));
      return { granted, holder, payload };
    });
  }

  /**
   * Reads lease `id` and keeps its CAS for the release when `value` still holds it. Send it
   * behind a write of the same round trip; it never fails (a failure costs the release a read).
   */
  async noteHeld(id: string, value: string): Promise<void> {
    // Read when the `add` granted it: nothing has changed it since.
    if (this.seen.has(value)) return;
    const current = await this.nodeOf(id)
      .gets(this.keyOf(id))
      .catch(() => undefined);
    if (current && parse(current.value)[0] === value) this.remember(value, current.cas);
  }

  private remember(value: string, cas: string): void {
    this.seen.set(value, cas);
    if (this.seen.size > MAX_SEEN_LEASES) this.seen.delete(this.seen.keys().next().value!);
  }

  async extend(id: string, value: string, durationMs: number): Promise<boolean> {
    const node = this.nodeOf(id);
    const key = this.keyOf(id);
    // The extension changes the lease's CAS.
    this.seen.delete(value);
    return this.run('lock-extend', async () => {
      const current = await node.gets(key);
      if (!current) return false;
      const [holder, until] = parse(current.value);
      if (holder !== value || until <= Date.now()) return false;
      const lease = `${value}|${Date.now() + durationMs}`;
      return node.cas(key, lease, current.cas, lifetimeFor(durationMs));
    });
  }

  async release(id: string, value: string): Promise<void> {
    const node = this.nodeOf(id);
    const key = this.keyOf(id);
    const seenCas = this.seen.get(value);
    this.seen.delete(value);
    await this.run('unlock', async () => {
      // The lease as read while held: unchanged since, it is still ours.
      if (seenCas !== undefined && (await node.cas(key, '|0', seenCas, 1))) return;
      const current: CasValue | undefined = await node.gets(key);
      if (!current || parse(current.value)[0] !== value) return;
      await node.cas(key, '|0', current.cas, 1);
    });
  }
}

function parse(lease: string): [holder: string, until: number] {
  const bar = lease.lastIndexOf('|');
  return [lease.slice(0, bar), Number(lease.slice(bar + 1)) || 0];
}
