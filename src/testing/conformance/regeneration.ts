/// <reference types="jest" />
import type { SessionStore } from '../../index.js';
import { renewSessionToken, sessionKeyOf } from '../../security/session-token.js';
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

/** Regeneration: a commit with `moveTo` moves the session to a new key and kills the old one. */
export function describeRegeneration(suite: ConformanceSuite): void {
  const { itWith } = suite;
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describe('moveTo (regeneration)', () => {
    itWith('versions', 'locks')(
      'moves the session to the new key with its data and the changes of the commit',
      async () => {
        const { token, key } = freshSession();
        const renewed = renewSessionToken(token);
        const newKey = sessionKeyOf(renewed);
        expect(newKey.tag).toBe(key.tag);
        expect(newKey.secretHash).not.toBe(key.secretHash);
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1), b: json(2) }));
        await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));

        await expect(
          store.commit(
            key,
            updating(now + 2, { c: json(3) }, ['b'], {
              moveTo: newKey,
              expectedVersion: 1,
              fence: 1,
              meta: { principal: 'bob', authenticatedAt: now + 2 },
            }),
          ),
        ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 2 + HOUR });

        await expect(store.load(key, loadingAt(now + 3))).resolves.toEqual({ status: 'missing' });
        expect(await read(store, newKey, now + 3)).toEqual({
          meta: storedMeta(now, {
            version: 2,
            lastAccessAt: now + 2,
            fence: 1,
            principal: 'bob',
            authenticatedAt: now + 2,
          }),
          data: { a: json(1), c: json(3) },
        });
        // The old key no longer names anything: updates through it are gone, destroy finds nothing.
        await expect(store.commit(key, updating(now + 4, { z: json(0) }))).resolves.toEqual({
          status: 'gone',
        });
        await expect(store.destroy(key)).resolves.toBe(false);
        await expect(store.load(key, loadingAt(now + 5))).resolves.toEqual({ status: 'missing' });
        expect((await read(store, newKey, now + 5)).data).toEqual({ a: json(1), c: json(3) });
      },
    );

    it('moves without data when clearData is given', async () => {
      const { token, key } = freshSession();
      const newKey = sessionKeyOf(renewSessionToken(token));
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }, { meta: { principal: 'carol' } }));
      await expect(
        store.commit(
          key,
          updating(now + 1, { flash: json('hi') }, [], { moveTo: newKey, clearData: true }),
        ),
      ).resolves.toMatchObject({ status: 'committed', version: 2 });
      await expect(store.load(key, loadingAt(now + 2))).resolves.toEqual({ status: 'missing' });
      const moved = await read(store, newKey, now + 2);
      expect(moved.data).toEqual({ flash: json('hi') });
      expect(moved.meta).toMatchObject({ version: 2, principal: 'carol', createdAt: now });
    });

    itWith('versions', 'locks')(
      'does not move a session that is gone, conflicting or fenced',
      async () => {
        const { token, key } = freshSession();
        const now = futureNow();
        const unknownTarget = sessionKeyOf(renewSessionToken(token));
        await expect(
          store.commit(key, updating(now, { a: json(1) }, [], { moveTo: unknownTarget })),
        ).resolves.toEqual({ status: 'gone' });
        await expect(store.load(unknownTarget, loadingAt(now))).resolves.toEqual({
          status: 'missing',
        });

        await store.commit(key, creating(now, { a: json(1) }));
        await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));
        const conflictTarget = sessionKeyOf(renewSessionToken(token));
        await expect(
          store.commit(
            key,
            updating(now + 2, {}, [], { moveTo: conflictTarget, expectedVersion: 0 }),
          ),
        ).resolves.toEqual({ status: 'conflict', storedVersion: 1 });
        const fencedTarget = sessionKeyOf(renewSessionToken(token));
        await expect(
          store.commit(key, updating(now + 2, {}, [], { moveTo: fencedTarget, fence: 0 })),
        ).resolves.toEqual({ status: 'fenced', storedFence: 1 });

        for (const target of [conflictTarget, fencedTarget]) {
          await expect(store.load(target, loadingAt(now + 3))).resolves.toEqual({
            status: 'missing',
          });
        }
        expect((await read(store, key, now + 3)).meta).toMatchObject({ version: 1, fence: 1 });
      },
    );
  });
}
