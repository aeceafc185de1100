import { Cluster } from 'ioredis';
import { adminCall, PollAbortedError, useCluster, waitFor } from '../harness/index.js';
import {
  dataOf,
  type Instance,
  loadOptions,
  newKey,
  setChange,
  startInstance,
  stopInstance,
} from './near-cache-fixture.js';

const cluster = useCluster();
const PREFIX = 'ncfo:';
const CHANNEL = `${PREFIX}invalidate`;

describe('near cache when the master of its channel fails over (Cluster)', () => {
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    const connect = () => new Cluster([...cluster().nodes]);
    a = await startInstance(connect, PREFIX);
    b = await startInstance(connect, PREFIX);
  });
  afterAll(async () => {
    await stopInstance(a);
    await stopInstance(b);
  });

  /** The replica of the master that owns the channel's slot. */
  async function replicaOfChannelMaster(): Promise<number> {
    const [first] = cluster().nodes;
    const slot = Number(await adminCall(first!, 'CLUSTER', 'KEYSLOT', CHANNEL));
    const views = await cluster().topology();
    const master = views.find(
      (view) =>
        view.role === 'master' &&
        view.slots.some((range) => {
          const [from, to = from] = range.split('-').map(Number);
          return from! <= slot && slot <= to!;
        }),
    );
    const replica = views.find((view) => view.role === 'replica' && view.masterId === master?.id);
    if (!replica) throw new Error(`no replica of the master of slot ${slot}`);
    return replica.endpoint.port;
  }

  it('stays fresh through the failover and serves from memory again afterwards', async () => {
    const key = newKey();
    const create = { create: { absoluteDeadline: Date.now() + 600_000 } };
    expect((await a.store.commit(key, setChange({ n: 0 }, create))).status).toBe('committed');
    expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 0 });

    await cluster().failover(await replicaOfChannelMaster());

    let n = 0;
    /** Every read after the writer's answer sees the write, from Redis or from memory. */
    const readFresh = async () => {
      const seen = dataOf(await b.store.load(key, loadOptions()))?.n;
      if (seen !== n) throw new PollAbortedError(`stale read: wrote ${n}, B read ${seen}`);
    };
    await waitFor(
      'the near cache of B to serve again',
      async () => {
        n += 1;
        await a.store.commit(key, setChange({ n }));
        await readFresh();
        const hits = b.store.stats().hits;
        await readFresh();
        expect(b.store.stats().hits).toBe(hits + 1);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
  }, 60_000);
});
