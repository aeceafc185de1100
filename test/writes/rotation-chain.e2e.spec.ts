import { Redis } from 'ioredis';
import {
  createSessionToken,
  renewSessionToken,
  type SessionKey,
  sessionKeyOf,
} from '../../src/security/session-token.js';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';

const redis = useStandalone();
const IDLE = 60_000;
const GRACE = 30_000;

/** A session at k0 rotated twice within the grace: k0 → k1 → k2 (a chain of two pointers). */
async function rotatedTwice(store: SessionStore): Promise<SessionKey[]> {
  const t0 = createSessionToken();
  const t1 = renewSessionToken(t0);
  const t2 = renewSessionToken(t1);
  const [k0, k1, k2] = [t0, t1, t2].map(sessionKeyOf) as [SessionKey, SessionKey, SessionKey];
  const now = Date.now();
  const base = { now, idleTimeoutMs: IDLE, delete: [] };
  await store.commit(k0, {
    ...base,
    create: { absoluteDeadline: now + 3_600_000 },
    set: { a: '1' },
  });
  await store.commit(k0, { ...base, set: {}, moveTo: k1, rotation: { graceMs: GRACE } });
  await store.commit(k1, { ...base, set: {}, moveTo: k2, rotation: { graceMs: GRACE } });
  return [k0, k1, k2];
}

function scenarios(name: string, makeStore: () => SessionStore) {
  describe(`rotation chains (${name})`, () => {
    const load = (store: SessionStore, key: SessionKey) =>
      store.load(key, { now: Date.now(), idleTimeoutMs: IDLE, slideAfterMs: IDLE });

    it('a load through two pointers finds the session and deletes nothing', async () => {
      const store = makeStore();
      const [k0, k1, k2] = await rotatedTwice(store);
      const viaOldest = await load(store, k0);
      expect(viaOldest).toMatchObject({ status: 'found', aliased: true });
      expect(await load(store, k1)).toMatchObject({ status: 'found', aliased: true });
      expect(await load(store, k2)).toMatchObject({
        status: 'found',
        session: { data: { a: '1' } },
      });
    });

    it('a commit through two pointers lands on the session', async () => {
      const store = makeStore();
      const [k0, , k2] = await rotatedTwice(store);
      const result = await store.commit(k0, {
        now: Date.now(),
        idleTimeoutMs: IDLE,
        set: { b: '2' },
        delete: [],
      });
      expect(result).toMatchObject({ status: 'committed', aliased: true });
      const loaded = await load(store, k2);
      expect(loaded.status === 'found' && loaded.session.data).toEqual({ a: '1', b: '2' });
    });

    it('a destroy through two pointers ends the session and every pointer', async () => {
      const store = makeStore();
      const [k0, k1, k2] = await rotatedTwice(store);
      expect(await store.destroy(k0)).toBe(true);
      for (const key of [k0, k1, k2]) expect((await load(store, key)).status).toBe('missing');
    });
  });
}

let client: Redis;
beforeAll(() => {
  client = new Redis(redis().url);
});
afterAll(() => client.quit());

scenarios('memory', () => new MemorySessionStore());
scenarios('redis', () => new RedisSessionStore({ client, prefix: `chain${Math.random()}:` }));
