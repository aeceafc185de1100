import type { LeaseBackend } from '../lease-lock/lease-locks.js';
import type { MemcachedNode } from './memcached-node.js';
import { lifetimeFor } from './memcached-record.js';

/**
 * Session lock leases as Memcached keys: taken with `add`, the value `owner|expiresAt` (app
 * clock, ms) so a lease shorter than Memcached's one-second TTL still ends on time; an expired
 * or released lease is taken over, extended and released with `cas`, never a blind write.
 */
export class MemcachedLeaseBackend implements LeaseBackend {
  constructor(
    private readonly nodeOf: (id: string) => MemcachedNode,
    private readonly keyOf: (id: string) => string,
    private readonly run: <T>(operation: string, call: () => Promise<T>) => Promise<T>,
  ) {}

  async tryAcquire(
    id: string,
    value: string,
    durationMs: number,
  ): Promise<{ granted: boolean; holder?: string }> {
    const node = this.nodeOf(id);
    const key = this.keyOf(id);
    const lease = `${value}|${Date.now() + durationMs}`;
    return this.run('lock-attempt', async () => {
      if (await node.add(key, lease, lifetimeFor(durationMs))) return { granted: true };
      const current = await node.gets(key);
      if (!current) return { granted: false };
      const [holder, until] = parse(current.value);
      if (until > Date.now()) return { granted: false, holder };
      const granted = await node.cas(key, lease, current.cas, lifetimeFor(durationMs));
      return { granted, holder };
    });
  }

  async extend(id: string, value: string, durationMs: number): Promise<boolean> {
    const node = this.nodeOf(id);
    const key = this.keyOf(id);
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
    await this.run('unlock', async () => {
      const current = await node.gets(key);
      if (!current || parse(current.value)[0] !== value) return;
      await node.cas(key, '|0', current.cas, 1);
    });
  }
}

function parse(lease: string): [holder: string, until: number] {
  const bar = lease.lastIndexOf('|');
  return [lease.slice(0, bar), Number(lease.slice(bar + 1)) || 0];
}
