/// <reference types="jest" />
import type { SessionStore } from '../../index.js';
import {
  type ConformanceSuite,
  creating,
  freshSession,
  futureNow,
  HOUR,
  json,
  loadFound,
  loadingAt,
  read,
  storedMeta,
  updating,
} from './conformance-helpers.js';

/** Optimistic commits (`expectedVersion`) and locked commits (the fence a lock raises). */
export function describeVersionsAndFences(suite: ConformanceSuite): void {
  const { describeWith } = suite;
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describeWith('versions')('optimistic commits (expectedVersion)', () => {
    it("refuses a stale version with 'conflict' and writes nothing", async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));
      await store.commit(key, updating(now + 1, { a: json(2) }));
      await store.commit(key, updating(now + 2, { a: json(3) }));

      await expect(
        store.commit(
          key,
          updating(now + 3, { a: json('stale'), b: json('stale') }, ['a'], {
            expectedVersion: 1,
            meta: { principal: 'stale' },
            clearData: true,
          }),
        ),
      ).resolves.toEqual({ status: 'conflict', storedVersion: 3 });
      await expect(
        store.commit(key, updating(now + 3, { b: json('ahead') }, [], { expectedVersion: 4 })),
      ).resolves.toEqual({ status: 'conflict', storedVersion: 3 });

      expect(await read(store, key, now + 4)).toEqual({
        meta: storedMeta(now, { version: 3, lastAccessAt: now + 2 }),
        data: { a: json(3) },
      });
    });

    it('commits when the expected version matches', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));
      await store.commit(key, updating(now + 1, { a: json(2) }));
      const loaded = await read(store, key, now + 2);
      expect(loaded.meta.version).toBe(2);

      await expect(
        store.commit(
          key,
          updating(now + 3, { b: json('b') }, [], { expectedVersion: loaded.meta.version }),
        ),
      ).resolves.toEqual({ status: 'committed', version: 3, expiresAt: now + 3 + HOUR });
      await expect(
        store.commit(key, updating(now + 4, { c: json('c') }, [], { expectedVersion: 2 })),
      ).resolves.toEqual({ status: 'conflict', storedVersion: 3 });

      const session = await read(store, key, now + 5);
      expect(session.meta.version).toBe(3);
      expect(session.data).toEqual({ a: json(2), b: json('b') });
    });
  });

  describeWith('locks')('locked commits (fence)', () => {
    it('raises the fence by one on every load that asks for it', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now));
      const fences: number[] = [];
      for (let i = 1; i <= 3; i += 1) {
        const loaded = await loadFound(store, key, loadingAt(now + i, { raiseFence: true }));
        fences.push(loaded.session.meta.fence);
      }
      expect(fences).toEqual([1, 2, 3]);
      // A load that does not ask leaves the fence alone.
      expect((await read(store, key, now + 4)).meta.fence).toBe(3);
      // Raising the fence together with a slide returns both.
      const both = await loadFound(
        store,
        key,
        loadingAt(now + 5, { raiseFence: true, slideAfterMs: 0 }),
      );
      expect(both.slid).toBe(true);
      expect(both.session.meta).toMatchObject({ fence: 4, lastAccessAt: now + 5, version: 1 });
    });

    it("refuses a commit with an older fence with 'fenced' and writes nothing", async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));
      const first = await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));
      const second = await loadFound(store, key, loadingAt(now + 2, { raiseFence: true }));
      expect(first.session.meta.fence).toBe(1);
      expect(second.session.meta.fence).toBe(2);

      await expect(
        store.commit(
          key,
          updating(now + 3, { a: json('late'), b: json('late') }, ['a'], {
            fence: first.session.meta.fence,
            meta: { fingerprint: 'late' },
          }),
        ),
      ).resolves.toEqual({ status: 'fenced', storedFence: 2 });
      expect(await read(store, key, now + 4)).toEqual({
        meta: storedMeta(now, { fence: 2 }),
        data: { a: json(1) },
      });

      await expect(
        store.commit(key, updating(now + 5, { b: json('holder') }, [], { fence: 2 })),
      ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 5 + HOUR });
      // A fence newer than the stored one is not refused either.
      await expect(
        store.commit(key, updating(now + 6, { c: json('newer') }, [], { fence: 3 })),
      ).resolves.toMatchObject({ status: 'committed', version: 3 });
      const session = await read(store, key, now + 7);
      expect(session.data).toEqual({ a: json(1), b: json('holder'), c: json('newer') });
      expect(session.meta.fence).toBe(2);
    });

    it('loadLocked holds the lock with the fence raised; the next waits for its release', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));
      const first = await store.loadLocked(key, LOCK, loadingAt(now + 1));
      expect(first.result).toMatchObject({ status: 'found', session: { meta: { fence: 1 } } });
      const held = first.lock!;
      expect(held).toBeDefined();

      let waited = false;
      const second = store.loadLocked(key, LOCK, loadingAt(now + 2)).then((locked) => {
        waited = true;
        return locked;
      });
      // A window in which a second holder would get in if the lock did not hold.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(waited).toBe(false);
      await expect(
        store.commit(key, updating(now + 3, { a: json(2) }, [], { fence: 1, releaseLock: held })),
      ).resolves.toMatchObject({ status: 'committed' });
      if (!held.releasableByCommit) await held.release();

      const next = await second;
      // Loaded under the lock, after the first holder's commit, with a fence of its own.
      expect(next.result).toMatchObject({
        status: 'found',
        session: { meta: { fence: 2 }, data: { a: json(2) } },
      });
      await next.lock!.release();
    });

    it('loadLocked of a missing session leaves no lock behind', async () => {
      const { key } = freshSession();
      await expect(store.loadLocked(key, LOCK, loadingAt(futureNow()))).resolves.toEqual({
        result: { status: 'missing' },
      });
      // Taken at once: nobody holds it.
      const lock = await store.acquireLock(key, { ...LOCK, retryCount: 0 });
      await lock.release();
    });
  });
}

/** Lock settings of the module's defaults, with a bounded wait. */
const LOCK = {
  durationMs: 5000,
  retryCount: 40,
  retryDelayMs: 50,
  retryJitterMs: 0,
  timeoutStatus: 423,
} as const;
