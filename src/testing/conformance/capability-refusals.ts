/// <reference types="jest" />
import {
  SessionCapabilityError,
  type SessionChange,
  type SessionStore,
  type SessionStoreCapabilities,
} from '../../index.js';
import {
  createSessionToken,
  renewSessionToken,
  sessionKeyOf,
} from '../../security/session-token.js';

const HOUR = 3_600_000;

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
      const key = sessionKeyOf(createSessionToken());
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
      const key = sessionKeyOf(createSessionToken());
      const now = Date.now() + HOUR;
      await store.commit(key, created(now));
      await expect(
        store.commit(key, { ...changed(now + 1), expectedVersion: 1 }),
      ).rejects.toBeInstanceOf(SessionCapabilityError);
      const loaded = await store.load(key, {
        now: now + 2,
        idleTimeoutMs: HOUR,
        slideAfterMs: HOUR,
      });
      expect(loaded).toMatchObject({ status: 'found', session: { data: { a: '1' } } });
    });

    lacking('principalIndex')('refuses a principal index update', async () => {
      await expect(getStore().updateIndex('someone', { now: Date.now() })).rejects.toBeInstanceOf(
        SessionCapabilityError,
      );
    });

    lacking('rotation')('refuses a rotation and leaves the session where it was', async () => {
      const store = getStore();
      const token = createSessionToken();
      const key = sessionKeyOf(token);
      const moveTo = sessionKeyOf(renewSessionToken(token));
      const now = Date.now() + HOUR;
      await store.commit(key, created(now));
      await expect(
        store.commit(key, { ...changed(now + 1), moveTo, rotation: { graceMs: 1000 } }),
      ).rejects.toBeInstanceOf(SessionCapabilityError);
      const options = { now: now + 2, idleTimeoutMs: HOUR, slideAfterMs: HOUR };
      await expect(store.load(moveTo, options)).resolves.toEqual({ status: 'missing' });
      await expect(store.load(key, options)).resolves.toMatchObject({ status: 'found' });
    });
  });
}

function created(now: number): SessionChange {
  return {
    now,
    idleTimeoutMs: HOUR,
    create: { absoluteDeadline: now + 24 * HOUR },
    set: { a: '1' },
    delete: [],
  };
}

function changed(now: number): SessionChange {
  return { now, idleTimeoutMs: HOUR, set: { b: '2' }, delete: [] };
}
