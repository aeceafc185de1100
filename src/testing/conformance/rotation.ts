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
  SECOND,
  updating,
} from './conformance-helpers.js';

/** Rotation: the old key stays a grace pointer to the moved session for `graceMs`. */
export function describeRotation(suite: ConformanceSuite): void {
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  suite.describeWith('rotation')('rotation (grace pointers)', () => {
    /** A stored session and a rotation of it to a new key (same tag) with `graceMs`. */
    async function rotated(graceMs: number) {
      const { token, key } = freshSession();
      const newKey = sessionKeyOf(renewSessionToken(token));
      const now = futureNow();
      await store.commit(key, creating(now, { a: json(1) }, { meta: { principal: 'dora' } }));
      await expect(
        store.commit(
          key,
          updating(now + 1, {}, [], {
            moveTo: newKey,
            rotation: { graceMs },
            meta: { rotatedAt: now + 1 },
          }),
        ),
      ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 1 + HOUR });
      return { token, key, newKey, now };
    }

    it('without grace, the old key is dead at once and the new one holds the session', async () => {
      const { key, newKey, now } = await rotated(0);
      await expect(store.load(key, loadingAt(now + 2))).resolves.toEqual({ status: 'missing' });
      await expect(store.commit(key, updating(now + 2, { z: json(0) }))).resolves.toEqual({
        status: 'gone',
      });
      const found = await loadFound(store, newKey, loadingAt(now + 2));
      expect(found.aliased).toBeUndefined();
      expect(found.session.meta).toMatchObject({ rotatedAt: now + 1, principal: 'dora' });
      expect(found.session.data).toEqual({ a: json(1) });
    });

    it('within the grace, loads and commits through the old key reach the session', async () => {
      const { key, newKey, now } = await rotated(5 * SECOND);
      const viaOld = await loadFound(store, key, loadingAt(now + 2));
      expect(viaOld.aliased).toBe(true);
      expect(viaOld.session.data).toEqual({ a: json(1) });
      expect(viaOld.session.meta).toMatchObject({ version: 2, rotatedAt: now + 1 });

      await expect(store.commit(key, updating(now + 3, { b: json(2) }))).resolves.toEqual({
        status: 'committed',
        version: 3,
        expiresAt: now + 3 + HOUR,
        aliased: true,
      });
      const viaNew = await loadFound(store, newKey, loadingAt(now + 4));
      expect(viaNew.aliased).toBeUndefined();
      expect(viaNew.session.data).toEqual({ a: json(1), b: json(2) });
    });

    it('a second rotation through the pointer (a concurrent request) does not move it again', async () => {
      const { token, key, newKey, now } = await rotated(5 * SECOND);
      const racing = sessionKeyOf(renewSessionToken(token));
      await expect(
        store.commit(
          key,
          updating(now + 2, { c: json(3) }, [], {
            moveTo: racing,
            rotation: { graceMs: 5 * SECOND },
            meta: { rotatedAt: now + 2 },
          }),
        ),
      ).resolves.toMatchObject({ status: 'committed', version: 3, aliased: true });
      await expect(store.load(racing, loadingAt(now + 3))).resolves.toEqual({
        status: 'missing',
      });
      expect((await read(store, newKey, now + 3)).data).toEqual({ a: json(1), c: json(3) });
    });

    it('a regeneration through the pointer moves the session and kills the old key', async () => {
      const { token, key, newKey, now } = await rotated(5 * SECOND);
      const signedIn = sessionKeyOf(renewSessionToken(token));
      await expect(
        store.commit(key, updating(now + 2, {}, [], { moveTo: signedIn })),
      ).resolves.toMatchObject({ status: 'committed', version: 3, aliased: true });
      for (const dead of [key, newKey]) {
        await expect(store.load(dead, loadingAt(now + 3))).resolves.toEqual({
          status: 'missing',
        });
      }
      expect((await read(store, signedIn, now + 3)).data).toEqual({ a: json(1) });
    });

    it('destroy through the pointer ends the session', async () => {
      const { key, newKey, now } = await rotated(5 * SECOND);
      await expect(store.destroy(key)).resolves.toBe(true);
      await expect(store.load(newKey, loadingAt(now + 2))).resolves.toEqual({
        status: 'missing',
      });
      await expect(store.load(key, loadingAt(now + 2))).resolves.toEqual({ status: 'missing' });
    });

    it('after the grace, the old key is dead and the session lives on under the new one', async () => {
      const { key, newKey, now } = await rotated(300);
      await loadFound(store, key, loadingAt(now + 2));
      // Redis expires the pointer on its own clock, the memory store on the one it is given.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expect(store.load(key, loadingAt(now + 400))).resolves.toEqual({
        status: 'missing',
      });
      await expect(store.commit(key, updating(now + 400, { z: json(0) }))).resolves.toEqual({
        status: 'gone',
      });
      expect((await read(store, newKey, now + 401)).data).toEqual({ a: json(1) });
    });
  });
}
