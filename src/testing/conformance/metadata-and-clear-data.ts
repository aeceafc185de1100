/// <reference types="jest" />
import type { SessionStore } from '../../index.js';
import {
  type ConformanceSuite,
  creating,
  freshSession,
  futureNow,
  json,
  loadFound,
  loadingAt,
  read,
  storedMeta,
  updating,
} from './conformance-helpers.js';

/** The session's metadata fields (set, kept, removed) and `clearData`, which keeps them. */
export function describeMetadataAndClearData(suite: ConformanceSuite): void {
  const { itWith } = suite;
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describe('metadata', () => {
    it('sets principal, fingerprint and authenticatedAt, and removes them with null', async () => {
      const { key } = freshSession();
      const now = futureNow();
      const principal = json({ id: 'user-1', roles: ['admin'] });
      await store.commit(key, creating(now, { a: json(1) }));
      await store.commit(
        key,
        updating(now + 1, {}, [], {
          meta: { principal, fingerprint: 'fp-hmac', authenticatedAt: now + 1 },
        }),
      );
      expect((await read(store, key, now + 2)).meta).toEqual(
        storedMeta(now, {
          version: 2,
          lastAccessAt: now + 1,
          principal,
          fingerprint: 'fp-hmac',
          authenticatedAt: now + 1,
        }),
      );

      // Fields left out of `meta` stay; null removes one.
      await store.commit(key, updating(now + 3, {}, [], { meta: { fingerprint: null } }));
      const partly = (await read(store, key, now + 4)).meta;
      expect(partly).toEqual(
        storedMeta(now, { version: 3, lastAccessAt: now + 3, principal, authenticatedAt: now + 1 }),
      );
      expect('fingerprint' in partly).toBe(false);

      await store.commit(
        key,
        updating(now + 5, {}, [], { meta: { principal: null, authenticatedAt: null } }),
      );
      const cleared = await read(store, key, now + 6);
      expect(cleared.meta).toEqual(storedMeta(now, { version: 4, lastAccessAt: now + 5 }));
      expect(Object.keys(cleared.meta).sort()).toEqual(
        ['absoluteDeadline', 'createdAt', 'fence', 'lastAccessAt', 'version'].sort(),
      );
      expect(cleared.data).toEqual({ a: json(1) });
    });

    it('keeps data keys named like metadata apart from the metadata', async () => {
      const { key } = freshSession();
      const now = futureNow();
      const data = {
        v: json('v'),
        c: json('c'),
        a: json('a'),
        x: json('x'),
        n: json('n'),
        p: json('p'),
        f: json('f'),
        t: json('t'),
        version: json(99),
        fence: json(99),
      };
      await store.commit(key, creating(now, data));
      expect(await read(store, key, now)).toEqual({ meta: storedMeta(now), data });
      await store.commit(key, updating(now + 1, {}, ['v', 'n', 'a', 'x']));
      const after = await read(store, key, now + 2);
      expect(after.meta).toEqual(storedMeta(now, { version: 2, lastAccessAt: now + 1 }));
      expect(Object.keys(after.data).sort()).toEqual(
        ['c', 'f', 'fence', 'p', 't', 'version'].sort(),
      );
    });
  });

  describe('clearData', () => {
    itWith('locks')(
      'drops every data key except those set in the same commit and keeps metadata',
      async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(
          key,
          creating(
            now,
            { a: json(1), b: json(2), keep: json('old') },
            { meta: { principal: 'alice', fingerprint: 'fp', authenticatedAt: now } },
          ),
        );
        await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));

        await expect(
          store.commit(
            key,
            updating(now + 2, { keep: json('new'), fresh: json(true) }, [], { clearData: true }),
          ),
        ).resolves.toMatchObject({ status: 'committed', version: 2 });
        expect(await read(store, key, now + 3)).toEqual({
          meta: storedMeta(now, {
            version: 2,
            lastAccessAt: now + 2,
            fence: 1,
            principal: 'alice',
            fingerprint: 'fp',
            authenticatedAt: now,
          }),
          data: { keep: json('new'), fresh: json(true) },
        });

        await store.commit(key, updating(now + 4, {}, [], { clearData: true }));
        const empty = await read(store, key, now + 5);
        expect(empty.data).toEqual({});
        expect(empty.meta).toMatchObject({ version: 3, principal: 'alice', fence: 1 });
      },
    );
  });
}
