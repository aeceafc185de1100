/// <reference types="jest" />
import {
  SessionCapabilityError,
  type SessionStore,
  type SessionStoreCapabilities,
} from '../../index.js';
import { renewSessionToken, sessionKeyOf } from '../../security/session-token.js';
import { creating, freshSession, futureNow, loadingAt, updating } from './conformance-helpers.js';

/**
 * The cases of the conformance suite about capabilities: a store declares what the suite was told
 * it has, and refuses with `SessionCapabilityError` (writing nothing) each operation it lacks.
 */
export function describeCapabilityRefusals(
  getStore: () => SessionStore,
  capabilities: SessionStoreCapabilities,
): void {
  const lacking = (capability: keyof SessionStoreCapabilities) =>
    capabilities[capability] ? it.skip : it;

  describe('capabilities', () => {
    it('declares the capabilities the suite was told', () => {
      expect(getStore().capabilities).toEqual(capabilities);
      expect(getStore().storeName).toMatch(/\S/);
    });

    lacking('locks')('refuses a lock with SessionCapabilityError', async () => {
      const { key } = freshSession();
      await expect(
        getStore().acquireLock(key, {
          durationMs: 1000,
          retryCount: 0,
          retryDelayMs: 1,
          retryJitterMs: 0,
          timeoutStatus: 423,
        }),
      ).rejects.toBeInstanceOf(SessionCapabilityError);
    });

    lacking('versions')('refuses an optimistic commit and writes nothing', async () => {
      const store = getStore();
      const { key } = freshSession();
      const now = futureNow();
      await store.commit(key, creating(now, { a: '1' }));
      await expect(
        store.commit(key, updating(now + 1, { b: '2' }, [], { expectedVersion: 1 })),
      ).rejects.toBeInstanceOf(SessionCapabilityError);
      const loaded = await store.load(key, loadingAt(now + 2));
      expect(loaded).toMatchObject({ status: 'found', session: { data: { a: '1' } } });
    });

    lacking('principalIndex')('refuses a principal index update', async () => {
      await expect(getStore().updateIndex('someone', { now: Date.now() })).rejects.toBeInstanceOf(
        SessionCapabilityError,
      );
    });

    lacking('rotation')('refuses a rotation and leaves the session where it was', async () => {
      const store = getStore();
      const { token, key } = freshSession();
      const moveTo = sessionKeyOf(renewSessionToken(token));
      const now = futureNow();
      await store.commit(key, creating(now, { a: '1' }));
      await expect(
        store.commit(
          key,
          updating(now + 1, { b: '2' }, [], { moveTo, rotation: { graceMs: 1000 } }),
        ),
      ).rejects.toBeInstanceOf(SessionCapabilityError);
      const options = loadingAt(now + 2);
      await expect(store.load(moveTo, options)).resolves.toEqual({ status: 'missing' });
      await expect(store.load(key, options)).resolves.toMatchObject({ status: 'found' });
    });
  });
}
