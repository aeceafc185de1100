import { Redis } from 'ioredis';
import { NearCachedSessionStore } from '../../src/session/stores/near-cache/near-cached-session-store.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { useStandalone, waitFor } from '../harness/index.js';
import {
  dataOf,
  type Instance,
  loadOptions,
  newKey,
  setChange,
  startInstance,
  stopInstance,
} from './near-cache-fixture.js';

const redis = useStandalone();
const PREFIX = 'ncf:';

describe('near cache: what a writer waits for, and failed writes (standalone)', () => {
  const instances: Instance[] = [];
  let admin: Redis;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++)
      instances.push(await startInstance(() => new Redis(redis().url), PREFIX));
    admin = new Redis(redis().url);
  });
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    admin.disconnect();
  });

  async function created(data: Record<string, unknown>) {
    const key = newKey();
    const [a] = instances;
    await a!.store.commit(
      key,
      setChange(data, { create: { absoluteDeadline: Date.now() + 600_000 } }),
    );
    return key;
  }

  it('answers a write only once every other instance has dropped its copy', async () => {
    const [a, b, c] = instances as [Instance, Instance, Instance];
    const key = await created({ n: 0 });
    for (let n = 1; n <= 50; n++) {
      await Promise.all([b.store.load(key, loadOptions()), c.store.load(key, loadOptions())]);
      await a.store.commit(key, setChange({ n }));
      // No I/O in between: the readers answer from what they hold right now.
      const [onB, onC] = await Promise.all([
        b.store.load(key, loadOptions()),
        c.store.load(key, loadOptions()),
      ]);
      expect([dataOf(onB), dataOf(onC)]).toEqual([{ n }, { n }]);
    }
  });

  it('invalidates a commit that ran but failed on a replica shortfall', async () => {
    const [, b] = instances as [Instance, Instance];
    // No replica answers the WAIT: the script ran, the call raises SessionReplicationError.
    const client = new Redis(redis().url);
    const strict = new NearCachedSessionStore(
      new RedisSessionStore({ client, prefix: PREFIX, replicaAcks: 1, replicaAckTimeoutMs: 10 }),
      client,
      { channel: `${PREFIX}invalidate` },
    );
    try {
      expect(await strict.ready(5000)).toBe(true);
      const key = await created({ n: 1 });
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 1 });
      await expect(strict.commit(key, setChange({ n: 2 }))).rejects.toThrow(/replica/i);
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 2 });
    } finally {
      await strict.close();
      client.disconnect();
    }
  });

  it('holds a write at most ackTimeoutMs for a subscriber that never acknowledges, and reports it', async () => {
    const [a, b] = instances as [Instance, Instance];
    // Subscribed like a hung instance: Redis counts it as a receiver, it never answers.
    const hung = new Redis(redis().url);
    await hung.subscribe(`${PREFIX}invalidate`);
    const errors: string[] = [];
    const stop = a.store.observe({
      error: (operation, error) => errors.push(`${operation}: ${error.message}`),
    });
    try {
      const key = await created({ n: 1 });
      errors.length = 0;
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 1 });
      expect(await a.store.commit(key, setChange({ n: 2 }))).toMatchObject({ status: 'committed' });
      expect(errors).toEqual([
        expect.stringMatching(
          /^invalidate: .*not confirmed by every instance within 1000 ms \(3 of 4/,
        ),
      ]);
      // The instances that answered did drop their copies.
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 2 });
    } finally {
      stop();
      hung.disconnect();
    }
  });

  it('reports an invalidation Redis refused, and flushes every instance once it can', async () => {
    const [, b] = instances as [Instance, Instance];
    await admin.call('ACL', 'SETUSER', 'writer', 'on', 'nopass', '~*', '&*', '+@all');
    const client = new Redis(redis().url, { username: 'writer', password: 'any' });
    const writer = new NearCachedSessionStore(
      new RedisSessionStore({ client, prefix: PREFIX }),
      client,
      {
        channel: `${PREFIX}invalidate`,
      },
    );
    const errors: string[] = [];
    writer.observe({ error: (operation, error) => errors.push(`${operation}: ${error.message}`) });
    try {
      expect(await writer.ready(5000)).toBe(true);
      const key = await created({ n: 1 });
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 1 });
      await admin.call('ACL', 'SETUSER', 'writer', '-publish');
      expect(await writer.commit(key, setChange({ n: 2 }))).toMatchObject({ status: 'committed' });
      expect(errors).toEqual([expect.stringMatching(/^invalidate: .*NOPERM/)]);
      await admin.call('ACL', 'SETUSER', 'writer', '+publish');
      await waitFor(
        'the owed flush to reach B',
        async () => expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 2 }),
        { timeoutMs: 10_000 },
      );
    } finally {
      await writer.close();
      client.disconnect();
      await admin.call('ACL', 'DELUSER', 'writer');
    }
  });
});
