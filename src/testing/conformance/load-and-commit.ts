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

/** Readiness, loading an unknown key, creating a session and updating it. */
export function describeLoadAndCommit(suite: ConformanceSuite): void {
  const { itWith } = suite;
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describe('ready', () => {
    it('reports ready once it can serve', async () => {
      await expect(store.ready(5000)).resolves.toBe(true);
    });
  });

  describe('load', () => {
    it('reports an unknown key as missing', async () => {
      const { key } = freshSession();
      await expect(store.load(key, loadingAt(futureNow()))).resolves.toEqual({
        status: 'missing',
      });
      await expect(
        store.load(key, loadingAt(futureNow(), { raiseFence: true, slideAfterMs: 0 })),
      ).resolves.toEqual({ status: 'missing' });
    });
  });

  describe('create', () => {
    it('creates a session that loads back with its data and initial metadata', async () => {
      const { key } = freshSession();
      const now = futureNow();
      const absoluteDeadline = now + 2 * HOUR;
      const data = { user: json({ id: 7, name: 'Ada' }), theme: json('dark'), n: json(3) };
      await expect(
        store.commit(
          key,
          creating(now, data, { idleTimeoutMs: 30 * 60_000, create: { absoluteDeadline } }),
        ),
      ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: now + 30 * 60_000 });
      const loaded = await loadFound(store, key, loadingAt(now + SECOND));
      expect(loaded.slid).toBe(false);
      expect(loaded.session).toEqual({ meta: storedMeta(now, { absoluteDeadline }), data });
    });

    it('creates a session with metadata and no data', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await expect(
        store.commit(
          key,
          creating(now, {}, { meta: { principal: json({ sub: 'u1' }), authenticatedAt: now } }),
        ),
      ).resolves.toMatchObject({ status: 'committed', version: 1 });
      expect(await read(store, key, now)).toEqual({
        meta: storedMeta(now, { principal: json({ sub: 'u1' }), authenticatedAt: now }),
        data: {},
      });
    });

    it("refuses to create over an existing session with 'exists' and writes nothing", async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));
      await expect(
        store.commit(
          key,
          creating(now + SECOND, { a: json(2), b: json(2) }, { meta: { principal: 'p' } }),
        ),
      ).resolves.toEqual({ status: 'exists' });
      expect(await read(store, key, now + 2 * SECOND)).toEqual({
        meta: storedMeta(now),
        data: { a: json(1) },
      });
    });

    it('reports the expiry as min(now + idle, absolute deadline)', async () => {
      const first = freshSession();
      const now = futureNow();
      await expect(
        store.commit(
          first.key,
          creating(
            now,
            {},
            { idleTimeoutMs: 10 * 60_000, create: { absoluteDeadline: now + 5 * 60_000 } },
          ),
        ),
      ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: now + 5 * 60_000 });
      await expect(
        store.commit(first.key, updating(now + 30_000, {}, [], { idleTimeoutMs: 60_000 })),
      ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 90_000 });
      // The absolute deadline caps it again once it is nearer.
      await expect(
        store.commit(first.key, updating(now + 60_000, {}, [], { idleTimeoutMs: 10 * 60_000 })),
      ).resolves.toEqual({ status: 'committed', version: 3, expiresAt: now + 5 * 60_000 });
    });
  });

  describe('update', () => {
    it("reports 'gone' for an unknown key and creates nothing", async () => {
      const { key } = freshSession();
      const now = futureNow();
      await expect(
        store.commit(
          key,
          updating(now, { a: json(1) }, [], { meta: { principal: 'p' }, expectedVersion: 0 }),
        ),
      ).resolves.toEqual({ status: 'gone' });
      await expect(store.commit(key, updating(now, { a: json(1) }))).resolves.toEqual({
        status: 'gone',
      });
      await expect(store.load(key, loadingAt(now))).resolves.toEqual({ status: 'missing' });
    });

    itWith('versions', 'locks')(
      'never brings a destroyed session back (destroy wins)',
      async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));
        const loaded = await read(store, key, now);
        await expect(store.destroy(key)).resolves.toBe(true);
        await expect(
          store.commit(
            key,
            updating(now + SECOND, { b: json(2) }, [], {
              expectedVersion: loaded.meta.version,
              fence: loaded.meta.fence,
            }),
          ),
        ).resolves.toEqual({ status: 'gone' });
        await expect(store.load(key, loadingAt(now + 2 * SECOND))).resolves.toEqual({
          status: 'missing',
        });
      },
    );

    it('merges per key: two commits from the same loaded version both survive', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json('a0'), shared: json('s0') }));
      const base = await read(store, key, now);
      expect(base.meta.version).toBe(1);

      await expect(
        store.commit(key, updating(now + 1, { b: json('from first') })),
      ).resolves.toMatchObject({ status: 'committed', version: 2 });
      await expect(
        store.commit(key, updating(now + 2, { c: json('from second') }, ['shared'])),
      ).resolves.toMatchObject({ status: 'committed', version: 3 });

      const merged = await read(store, key, now + 3);
      expect(merged.data).toEqual({
        a: json('a0'),
        b: json('from first'),
        c: json('from second'),
      });
      expect(merged.meta.version).toBe(3);
      expect(merged.meta.lastAccessAt).toBe(now + 2);
    });

    it('deletes only the named keys, and sets and deletes in one commit', async () => {
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1), b: json(2), c: json(3) }));

      await expect(store.commit(key, updating(now + 1, {}, ['b']))).resolves.toMatchObject({
        status: 'committed',
        version: 2,
      });
      expect((await read(store, key, now + 1)).data).toEqual({ a: json(1), c: json(3) });

      await expect(
        store.commit(key, updating(now + 2, { d: json(4), c: json('c2') }, ['a', 'absent'])),
      ).resolves.toMatchObject({ status: 'committed', version: 3 });
      expect((await read(store, key, now + 2)).data).toEqual({ c: json('c2'), d: json(4) });

      await expect(store.commit(key, updating(now + 3, {}, ['c', 'd']))).resolves.toMatchObject({
        status: 'committed',
        version: 4,
      });
      const emptied = await read(store, key, now + 3);
      expect(emptied.data).toEqual({});
      expect(emptied.meta.version).toBe(4);
    });

    it('raises the version on every commit and refreshes lastAccessAt', async () => {
      const { key } = freshSession();
      const now = futureNow();
      const versions: number[] = [];
      const created = await store.commit(key, creating(now, { n: json(0) }));
      if (created.status === 'committed') versions.push(created.version);
      for (let i = 1; i <= 4; i += 1) {
        const result = await store.commit(key, updating(now + i * SECOND, { n: json(i) }));
        if (result.status === 'committed') versions.push(result.version);
      }
      expect(versions).toEqual([1, 2, 3, 4, 5]);
      const session = await read(store, key, now + 5 * SECOND);
      expect(session.meta).toEqual(storedMeta(now, { version: 5, lastAccessAt: now + 4 * SECOND }));
      expect(session.data).toEqual({ n: json(4) });
    });
  });

  describe('destroy', () => {
    it('removes a session: true when it existed, then false', async () => {
      const { key } = freshSession();
      const other = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }));
      await store.commit(other.key, creating(now, { a: json('other') }));
      await expect(store.destroy(key)).resolves.toBe(true);
      await expect(store.destroy(key)).resolves.toBe(false);
      await expect(store.load(key, loadingAt(now))).resolves.toEqual({ status: 'missing' });
      expect((await read(store, other.key, now)).data).toEqual({ a: json('other') });
      await expect(store.destroy(freshSession().key)).resolves.toBe(false);
    });
  });
}
