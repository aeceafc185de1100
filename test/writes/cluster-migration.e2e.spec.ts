import { Cluster, Redis } from 'ioredis';
import {
  createSessionToken,
  type SessionKey,
  sessionKeyOf,
} from '../../src/security/session-token.js';
import { RedisSessionStore } from '../../src/index.js';
import { type ClusterNodeView, useCluster } from '../harness/index.js';
import { closeClient, whenReady } from '../conformance/redis-clients.js';

const cluster = useCluster();
const IDLE = 600_000;
/** The module's default command timeout. */
const COMMAND_TIMEOUT_MS = 2000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Moves `slot` from its master to another one the way `redis-cli --cluster reshard` does. */
async function migrateSlot(
  slot: number,
  steps: { afterMarking: () => Promise<void>; afterMoving: () => Promise<void> },
): Promise<void> {
  const topology = await cluster().topology();
  const masters = topology.filter((node) => node.role === 'master' && !node.failed);
  const owns = (node: ClusterNodeView) =>
    node.slots.some((range) => {
      const [from, to = from] = range.split('-').map(Number) as [number, number?];
      return slot >= from && slot <= (to ?? from);
    });
  const source = masters.find(owns)!;
  const target = masters.find((node) => node !== source)!;
  // Connections opened before the migration starts, so its steps follow each other closely.
  const admins = new Map(masters.map((node) => [node, new Redis(node.endpoint)]));
  const call = (node: ClusterNodeView, ...args: (string | number)[]) =>
    admins.get(node)!.call(String(args[0]), args.slice(1));
  try {
    await call(target, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id);
    await call(source, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
    await steps.afterMarking();
    const keys = (await call(source, 'CLUSTER', 'GETKEYSINSLOT', slot, 1000)) as string[];
    if (keys.length > 0) {
      await call(
        source,
        'MIGRATE',
        target.endpoint.host,
        target.endpoint.port,
        '',
        0,
        5000,
        'KEYS',
        ...keys,
      );
    }
    await steps.afterMoving();
    for (const node of [target, source, ...masters.filter((n) => n !== source && n !== target)]) {
      await call(node, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
    }
  } finally {
    admins.forEach((admin) => admin.disconnect());
  }
}

describe.each([
  ['replicaAcks 0 (default)', 0],
  ['replicaAcks 1 (script and WAIT in one pipeline)', 1],
])('commits survive a slot migration, %s', (_name, replicaAcks) => {
  let client: Cluster;
  let store: RedisSessionStore;

  beforeAll(async () => {
    client = new Cluster(
      cluster().nodes.map(({ host, port }) => ({ host, port })),
      { enableOfflineQueue: false, redisOptions: { commandTimeout: COMMAND_TIMEOUT_MS } },
    );
    await whenReady(client);
    store = new RedisSessionStore({ client, prefix: `mig${replicaAcks}:`, replicaAcks });
  });
  afterAll(() => closeClient(client));

  it('every acknowledged write is readable afterwards; no request fails', async () => {
    const key: SessionKey = sessionKeyOf(createSessionToken());
    const started = Date.now();
    const created = await store.commit(key, {
      now: started,
      idleTimeoutMs: IDLE,
      create: { absoluteDeadline: started + 3_600_000 },
      set: { seed: '0' },
      delete: [],
    });
    expect(created.status).toBe('committed');
    const slot = Number(await client.cluster('KEYSLOT', store.keyOf(key)));

    const acknowledged: string[] = [];
    const failures: string[] = [];
    const write = async (name: string) => {
      const began = Date.now();
      try {
        const result = await store.commit(key, {
          now: Date.now(),
          idleTimeoutMs: IDLE,
          set: { [name]: JSON.stringify(name) },
          delete: [],
        });
        if (result.status === 'committed') acknowledged.push(name);
        else failures.push(`${name}: ${result.status}`);
      } catch (error) {
        failures.push(`${name} after ${Date.now() - began} ms: ${(error as Error).message}`);
      }
    };
    let writers: Promise<void>[] = [];
    let round = 0;
    const burst = () => {
      round++;
      writers = writers.concat(Array.from({ length: 4 }, (_, i) => write(`r${round}w${i}`)));
    };

    burst();
    await migrateSlot(slot, {
      afterMarking: async () => {
        burst();
        // A load in the migrating slot still answers.
        expect(
          (await store.load(key, { now: Date.now(), idleTimeoutMs: IDLE, slideAfterMs: IDLE }))
            .status,
        ).toBe('found');
        await pause(20);
      },
      afterMoving: async () => {
        burst();
        await pause(20);
      },
    });
    await Promise.all(writers);
    // The client's slot map is stale now: the next writes meet MOVED.
    burst();
    await Promise.all(writers);

    expect(failures).toEqual([]);
    const loaded = await store.load(key, {
      now: Date.now(),
      idleTimeoutMs: IDLE,
      slideAfterMs: IDLE,
    });
    expect(loaded.status).toBe('found');
    const data = loaded.status === 'found' ? loaded.session.data : {};
    for (const name of acknowledged) expect(data[name]).toBe(JSON.stringify(name));
    expect(acknowledged).toHaveLength(round * 4);
  });
});
