/// <reference types="jest" />
import type { SessionStore } from '../../index.js';
import { renewSessionToken, sessionKeyOf } from '../../security/session-token.js';
import {
  type ConformanceSuite,
  creating,
  freshSession,
  futureNow,
  json,
  loadingAt,
  read,
  SECOND,
  updating,
} from './conformance-helpers.js';

/** A sign-in's move that gives the session a new absolute deadline ("remember me"). */
export function describeRememberedDeadline(suite: ConformanceSuite): void {
  const { describeWith } = suite;
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describeWith('expiry')('absoluteDeadline (remembered sign-in)', () => {
    it('moves the session with its new absolute deadline, enforced from then on', async () => {
      const { token, key } = freshSession();
      const newKey = sessionKeyOf(renewSessionToken(token));
      const now = futureNow();
      const first = now + 10 * SECOND;
      const remembered = now + 30 * SECOND;
      await store.commit(
        key,
        creating(now, { a: json(1) }, { create: { absoluteDeadline: first } }),
      );

      // As the engine moves a session at sign-in: everything written again (an encrypting store
      // seals it for the new key), the new deadline in `absoluteDeadline` and in `reseal`.
      await expect(
        store.commit(
          key,
          updating(now + 1, { a: json(1) }, [], {
            moveTo: newKey,
            clearData: true,
            meta: { principal: json({ id: 'p' }), authenticatedAt: now + 1 },
            absoluteDeadline: remembered,
            reseal: { createdAt: now, absoluteDeadline: remembered },
          }),
        ),
      ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: remembered });

      // Past the first deadline the session lives on, and commits still land.
      const later = await read(store, newKey, first);
      expect(later.meta.absoluteDeadline).toBe(remembered);
      expect(later.meta.createdAt).toBe(now);
      expect(later.data).toEqual({ a: json(1) });
      await expect(store.commit(newKey, updating(first + 1, { b: json(2) }))).resolves.toEqual({
        status: 'committed',
        version: 3,
        expiresAt: remembered,
      });

      // It ends at the new deadline.
      await expect(store.load(newKey, loadingAt(remembered))).resolves.toEqual({
        status: 'expired',
      });
    });

    it('keeps the deadline set at creation when a move gives none', async () => {
      const { token, key } = freshSession();
      const newKey = sessionKeyOf(renewSessionToken(token));
      const now = futureNow();
      const first = now + 10 * SECOND;
      await store.commit(key, creating(now, {}, { create: { absoluteDeadline: first } }));
      await store.commit(key, updating(now + 1, {}, [], { moveTo: newKey }));
      expect((await read(store, newKey, now + 2)).meta.absoluteDeadline).toBe(first);
      await expect(store.load(newKey, loadingAt(first))).resolves.toEqual({ status: 'expired' });
    });
  });
}
