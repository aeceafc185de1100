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
  SECOND,
  storedMeta,
  updating,
} from './conformance-helpers.js';

/** Idle and absolute deadlines, and sliding the idle deadline on load. */
export function describeDeadlines(suite: ConformanceSuite): void {
  const { describeWith } = suite;
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describeWith('expiry')('deadlines', () => {
    const IDLE = 200;

    it('expires a session idle for idleTimeoutMs, then forgets it', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }, { idleTimeoutMs: IDLE }));
      const idle = { idleTimeoutMs: IDLE };

      const justBefore = await loadFound(store, key, loadingAt(now + IDLE - 1, idle));
      expect(justBefore.slid).toBe(false);
      expect(justBefore.session.meta.lastAccessAt).toBe(now);

      await expect(store.load(key, loadingAt(now + IDLE, idle))).resolves.toEqual({
        status: 'expired',
      });
      await expect(store.load(key, loadingAt(now + IDLE, idle))).resolves.toEqual({
        status: 'missing',
      });
      await expect(store.destroy(key)).resolves.toBe(false);
    });

    it("refuses a commit after the idle deadline with 'gone' and drops the session", async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }, { idleTimeoutMs: IDLE }));
      await expect(
        store.commit(key, updating(now + IDLE, { b: json(2) }, [], { idleTimeoutMs: IDLE })),
      ).resolves.toEqual({ status: 'gone' });
      await expect(store.load(key, loadingAt(now + 1, { idleTimeoutMs: IDLE }))).resolves.toEqual({
        status: 'missing',
      });
    });

    it('expires a session at its absolute deadline even if it was just used', async () => {
      const { key } = freshSession();
      const now = futureNow();
      const absoluteDeadline = now + 10 * SECOND;
      await expect(
        store.commit(key, creating(now, { a: json(1) }, { create: { absoluteDeadline } })),
      ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: absoluteDeadline });

      const used = await loadFound(
        store,
        key,
        loadingAt(absoluteDeadline - 2, { slideAfterMs: 0 }),
      );
      expect(used.slid).toBe(true);
      await expect(
        store.commit(key, updating(absoluteDeadline - 1, { b: json(2) })),
      ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: absoluteDeadline });

      await expect(store.load(key, loadingAt(absoluteDeadline))).resolves.toEqual({
        status: 'expired',
      });
      await expect(store.load(key, loadingAt(absoluteDeadline - 1))).resolves.toEqual({
        status: 'missing',
      });
    });

    it("refuses a commit at the absolute deadline with 'gone'", async () => {
      const { key } = freshSession();
      const now = futureNow();
      const absoluteDeadline = now + 10 * SECOND;
      await store.commit(key, creating(now, {}, { create: { absoluteDeadline } }));
      await expect(store.commit(key, updating(absoluteDeadline, { b: json(2) }))).resolves.toEqual({
        status: 'gone',
      });
      await expect(store.load(key, loadingAt(now))).resolves.toEqual({ status: 'missing' });
    });
  });

  describeWith('expiry')('sliding', () => {
    it('slides lastAccessAt to now once slideAfterMs has passed, not before', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));

      const notDue = await loadFound(store, key, loadingAt(now + 99, { slideAfterMs: 100 }));
      expect(notDue.slid).toBe(false);
      expect(notDue.session.meta.lastAccessAt).toBe(now);

      const due = await loadFound(store, key, loadingAt(now + 100, { slideAfterMs: 100 }));
      expect(due.slid).toBe(true);
      expect(due.session.meta.lastAccessAt).toBe(now + 100);

      const always = await loadFound(store, key, loadingAt(now + 150, { slideAfterMs: 0 }));
      expect(always.slid).toBe(true);
      expect(always.session.meta.lastAccessAt).toBe(now + 150);

      const never = await loadFound(store, key, loadingAt(now + 5000, { slideAfterMs: HOUR }));
      expect(never.slid).toBe(false);
      expect(never.session.meta.lastAccessAt).toBe(now + 150);

      // The slide is stored, not only reported; it does not raise the version.
      expect((await read(store, key, now + 6000)).meta).toEqual(
        storedMeta(now, { lastAccessAt: now + 150 }),
      );
    });

    it('moves the idle deadline with the slide', async () => {
      const { key } = freshSession();
      const now = futureNow();
      const idle = { idleTimeoutMs: 200 };
      await store.commit(key, creating(now, {}, idle));
      const slid = await loadFound(store, key, loadingAt(now + 150, { slideAfterMs: 0, ...idle }));
      expect(slid.slid).toBe(true);
      // Past the original idle deadline (now + 200), before the slid one (now + 350).
      const kept = await loadFound(store, key, loadingAt(now + 349, idle));
      expect(kept.session.meta.lastAccessAt).toBe(now + 150);
      await expect(store.load(key, loadingAt(now + 350, idle))).resolves.toEqual({
        status: 'expired',
      });
    });
  });
}
