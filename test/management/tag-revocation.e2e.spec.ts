import { Cluster, Redis } from 'ioredis';
import {
  createSessionToken,
  renewSessionToken,
  sessionKeyOf,
} from '../../src/security/session-token.js';
import { MemorySessionStore } from '../../src/session/stores/memory/memory-session-store.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import type { SessionChange, SessionStore } from '../../src/session/stores/session-store.js';
import { useCluster, useStandalone } from '../harness/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const loading = (now: number) => ({ now, idleTimeoutMs: HOUR, slideAfterMs: HOUR });
const update = (now: number, extra: Partial<SessionChange> = {}): SessionChange => ({
  now,
  idleTimeoutMs: HOUR,
  set: { '.x': '1' },
  delete: [],
  ...extra,
});

/** A stored session moved once (no grace): the old key names nothing, the new one the session. */
async function movedSession(store: SessionStore) {
  const token = createSessionToken();
  const key = sessionKeyOf(token);
  const moved = sessionKeyOf(renewSessionToken(token));
  const now = Date.now();
  await store.commit(key, {
    ...update(now),
    create: { absoluteDeadline: now + DAY },
  });
  await store.commit(key, update(now, { moveTo: moved }));
  return { key, moved, now };
}

/** Tag revocation at the store level: what destroy leaves behind and what it refuses. */
function describeTagRevocation(createStore: () => SessionStore): void {
  let store: SessionStore;
  beforeAll(() => {
    store = createStore();
  });
  afterAll(() => store.close());

  it('a destroy that vouches for a moved key revokes the session under its new key', async () => {
    const { key, moved, now } = await movedSession(store);
    await expect(store.destroy(key, { until: now + DAY })).resolves.toBe(false);
    await expect(store.load(moved, loading(now + 1))).resolves.toEqual({ status: 'missing' });
    await expect(store.commit(moved, update(now + 2))).resolves.toEqual({ status: 'gone' });
    expect(await store.describe([moved], { now: now + 3, idleTimeoutMs: HOUR })).toEqual([
      undefined,
    ]);
  });

  it('refuses to create a session in a revoked tag', async () => {
    const { key, moved, now } = await movedSession(store);
    await store.destroy(moved, { until: now + DAY });
    const again = sessionKeyOf(renewSessionToken({ tag: key.tag, secret: 'x'.repeat(43) }));
    await expect(
      store.commit(again, { ...update(now + 1), create: { absoluteDeadline: now + DAY } }),
    ).resolves.toEqual({ status: 'gone' });
  });

  it('a destroy without a deadline of a key naming nothing revokes nothing', async () => {
    const { key, moved, now } = await movedSession(store);
    await expect(store.destroy(key)).resolves.toBe(false);
    await expect(store.load(moved, loading(now + 1))).resolves.toMatchObject({ status: 'found' });
  });
}

describe('tag revocation: memory store', () => {
  describeTagRevocation(() => new MemorySessionStore());
});

describe('tag revocation: standalone Redis', () => {
  const redis = useStandalone();
  describeTagRevocation(
    () =>
      new RedisSessionStore({ client: new Redis(redis().url), prefix: 'tag:', ownsClient: true }),
  );

  it('the tombstone is one small key in the tag, living until the absolute deadline', async () => {
    const store = new RedisSessionStore({ client: new Redis(redis().url), prefix: 'tomb:' });
    const { key, now } = await movedSession(store);
    await store.destroy(key, { until: now + DAY });
    const tombstone = store.tombstoneKeyOf(key);
    expect(tombstone).toBe(`tomb:{${key.tag}}`);
    expect(await store.client.pexpiretime(tombstone)).toBe(now + DAY);
    expect(await (store.client as Redis).memory('USAGE', tombstone)).toBeLessThanOrEqual(96);
    // A session whose hash is found revokes its tag until its own deadline, even without one.
    const { moved: otherMoved, now: later } = await movedSession(store);
    await store.destroy(otherMoved);
    expect(await store.client.pexpiretime(store.tombstoneKeyOf(otherMoved))).toBe(later + DAY);
    (store.client as Redis).disconnect();
  });
});

describe('tag revocation: Redis Cluster', () => {
  const cluster = useCluster();
  describeTagRevocation(
    () =>
      new RedisSessionStore({
        client: new Cluster(cluster().nodes.map(({ host, port }) => ({ host, port }))),
        prefix: 'tag:',
        ownsClient: true,
      }),
  );
});
