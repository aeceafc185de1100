import { Redis } from 'ioredis';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import type { HeldSessionLock, SessionKey } from '../../src/session/stores/session-store.js';
import { useStandalone, waitFor } from '../harness/index.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { DEFAULT_LOCK, describeLockWake, newKey, PATIENT, within } from './lock-wake-scenarios.js';

const redis = useStandalone();
let clients: Redis[] = [];
let a: RedisSessionStore;
let b: RedisSessionStore;
let monitor: RedisMonitor;

beforeAll(async () => {
  clients = [new Redis(redis().url), new Redis(redis().url)];
  [a, b] = clients.map((client) => new RedisSessionStore({ client, prefix: 'wake:' })) as [
    RedisSessionStore,
    RedisSessionStore,
  ];
  monitor = await RedisMonitor.start(redis().url);
});
afterAll(async () => {
  await monitor.stop();
  await Promise.all([a.close(), b.close()]);
  await Promise.all(clients.map((client) => client.quit()));
});

/** Commands naming the lock key, (un)subscribing aside: attempts, extensions, releases. */
const lockCommands = (key: SessionKey) =>
  monitor.seenMatching((c) => c.args.includes(a.lockKeyOf(key)) && !c.name.endsWith('subscribe'))
    .length;

/** Resolves once the waiters made two attempts (one before, one after they listen). */
async function settled(key: SessionKey): Promise<void> {
  await waitFor(
    'two lock attempts',
    async () => {
      if (lockCommands(key) < 3) throw new Error(`${lockCommands(key) - 1} attempts`);
    },
    { timeoutMs: 5000, intervalMs: 5 },
  );
}

// The holders' store and the waiters' store have their own clients: two app servers.
describeLockWake('Redis standalone, two servers', () => ({ holders: a, waiters: b }), settled);
describeLockWake('Redis standalone, one server', () => ({ holders: a, waiters: a }), settled);

describe('lock waiters on Redis standalone', () => {
  it('send no command while the lock is held: one waiter per server asks, then listens', async () => {
    const key = newKey();
    const held = await a.acquireLock(key, DEFAULT_LOCK);
    const waiting = Array.from({ length: 20 }, () =>
      b.acquireLock(key, DEFAULT_LOCK).then((lock) => lock.release()),
    );
    await settled(key);
    const before = lockCommands(key);
    // A window in which pollers would ask again and again (every 50-100 ms with the defaults).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const polled = lockCommands(key) - before;
    await held.release();
    expect(await within(Promise.all(waiting))).not.toBe('still waiting');
    expect({ attemptsBeforeWaiting: before - 1, polledWhileHeld: polled }).toEqual({
      attemptsBeforeWaiting: 2,
      polledWhileHeld: 0,
    });
  });
});

describe('lock waiters when the subscriber connection drops', () => {
  it('are woken by a release made after the subscriber reconnected', async () => {
    const key = newKey();
    const held = await a.acquireLock(key, { ...DEFAULT_LOCK, durationMs: 60_000 });
    const waiting = b.acquireLock(key, PATIENT);
    await settled(key);
    const admin = new Redis(redis().url);
    try {
      expect(Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'))).toBeGreaterThan(0);
      // The release lands while the subscriber reconnects or after: either way the waiter hears
      // of it (the reconnect wakes it to ask again), instead of waiting out the 60 s lock.
      await held.release();
      const woken = await within(waiting, 10_000);
      expect(woken).not.toBe('still waiting');
      await (woken as HeldSessionLock).release();
    } finally {
      await admin.quit();
    }
  });
});
