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
  });
}
