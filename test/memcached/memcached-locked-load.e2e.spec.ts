import { SessionLockTimeoutError } from '../../src/index.js';
import { MemcachedSessionStore } from '../../src/session/stores/memcached/index.js';
import { MemorySessionStore } from '../../src/session/stores/memory/memory-session-store.js';
import type { LockSettings, SessionStore } from '../../src/session/stores/session-store.js';
import {
  creating,
  freshSession,
  futureNow,
  json,
  loadingAt,
  read,
  updating,
} from '../../src/testing/conformance/conformance-helpers.js';
import { useMemcached } from '../harness/memcached.js';

const LOCK: LockSettings = {
  durationMs: 5000,
  retryCount: 40,
  retryDelayMs: 50,
  retryJitterMs: 0,
  timeoutStatus: 423,
};
const AT_ONCE: LockSettings = { ...LOCK, retryCount: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const servers = useMemcached(1);

/**
 * The Memcached locked load sends the session's read behind the lease's `add`, reads the session
 * and the lease back behind the fence's `cas`, and releases with the lease's CAS from that read.
 * Each shortcut is attacked here: a lease that ran out and was taken over, a lease extended since
 * it was read, a write without the lock between the locked load and its commit. Two stores are
 * two app servers (their own connections and memos).
 */
describe('Memcached: the locked load and its release, under attack', () => {
  let first: MemcachedSessionStore;
  let second: MemcachedSessionStore;
  /** A third server, with no local line of its own for these sessions: it asks Memcached. */
  let third: MemcachedSessionStore;

  beforeAll(() => {
    [first, second, third] = [1, 2, 3].map(
      () => new MemcachedSessionStore({ servers: servers()[0]!.address }),
    ) as [MemcachedSessionStore, MemcachedSessionStore, MemcachedSessionStore];
  });
  afterAll(async () => {
    await Promise.all([first, second, third].map((store) => store.close()));
  });

  it('a holder whose lease ran out and was taken over does not release the new holder', async () => {
    const { key } = freshSession();
    const now = futureNow();
    await first.commit(key, creating(now, { a: json(1) }));
    const stale = await first.loadLocked(key, { ...LOCK, durationMs: 200 }, loadingAt(now + 1));
    expect(stale.result).toMatchObject({ status: 'found', session: { meta: { fence: 1 } } });
    await sleep(300);

    const taken = await second.loadLocked(key, AT_ONCE, loadingAt(now + 2));
    expect(taken.result).toMatchObject({ status: 'found', session: { meta: { fence: 2 } } });
    // The old holder's release (its lease CAS read while it held it) must not end the new lease.
    await stale.lock!.release();
    await expect(third.acquireLock(key, AT_ONCE)).rejects.toBeInstanceOf(SessionLockTimeoutError);
    // Nor does its late commit land: the fence refuses it.
    await expect(
      first.commit(key, updating(now + 3, { a: json('late') }, [], { fence: 1 })),
    ).resolves.toEqual({ status: 'fenced', storedFence: 2 });

    await taken.lock!.release();
    const next = await third.acquireLock(key, AT_ONCE);
    await next.release();
  });

  it('a lease extended after it was read back is still released', async () => {
    const { key } = freshSession();
    const now = futureNow();
    await first.commit(key, creating(now));
    const locked = await first.loadLocked(key, LOCK, loadingAt(now + 1));
    await locked.lock!.extend(8000);
    await locked.lock!.release();
    // Free at once for another server.
    const next = await third.acquireLock(key, AT_ONCE);
    await next.release();
  });

  it('a write without the lock between the locked load and its commit survives the commit', async () => {
    const { key } = freshSession();
    const now = futureNow();
    await first.commit(key, creating(now, { a: json(1) }));
    const locked = await first.loadLocked(key, LOCK, loadingAt(now + 1));
    // Another server writes another key without the lock after the read-back the commit reuses.
    await expect(
      second.commit(key, updating(now + 2, { b: json('other') })),
    ).resolves.toMatchObject({ status: 'committed' });
    await expect(
      first.commit(key, updating(now + 3, { a: json(2) }, [], { fence: 1 })),
    ).resolves.toMatchObject({ status: 'committed', version: 3 });
    await locked.lock!.release();
    expect((await read(first, key, now + 4)).data).toEqual({ a: json(2), b: json('other') });
  });

  it('a session destroyed under a waiting server is found missing, with no lease left', async () => {
    const { key } = freshSession();
    const now = futureNow();
    await first.commit(key, creating(now));
    const holder = await first.loadLocked(key, LOCK, loadingAt(now + 1));
    const waiting = second.loadLocked(key, LOCK, loadingAt(now + 2));
    await first.destroy(key);
    await holder.lock!.release();
    await expect(waiting).resolves.toEqual({ result: { status: 'missing' } });
    const next = await third.acquireLock(key, AT_ONCE);
    await next.release();
  });
});

describe.each([
  ['Memcached', () => new MemcachedSessionStore({ servers: servers()[0]!.address })],
  ['memory', () => new MemorySessionStore()],
])('%s store: lock waits are reported to observers (lock metrics)', (_name, create) => {
  let store: SessionStore;
  beforeAll(() => {
    store = create();
  });
  afterAll(() => store.close());

  it("reports a granted lock and a timed-out wait as the operation 'lock'", async () => {
    const seen: [string, boolean][] = [];
    const stop = store.observe({ operation: (name, _ms, failed) => seen.push([name, failed]) });
    try {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now));
      const held = await store.loadLocked(key, LOCK, loadingAt(now + 1));
      await expect(
        store.acquireLock(key, { ...LOCK, retryCount: 2, retryDelayMs: 10 }),
      ).rejects.toBeInstanceOf(SessionLockTimeoutError);
      await held.lock!.release();
      expect(seen.filter(([name]) => name === 'lock')).toEqual([
        ['lock', false],
        ['lock', true],
      ]);
    } finally {
      stop();
    }
  });
});
