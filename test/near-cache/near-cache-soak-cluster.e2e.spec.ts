import { Cluster } from 'ioredis';
import { adminCall, useCluster } from '../harness/index.js';
import { type Instance, startInstance, stopInstance } from './near-cache-fixture.js';
import { runSoak } from './near-cache-soak.js';

const cluster = useCluster();

describe('near cache soak on Redis Cluster (sharded pub/sub)', () => {
  const instances: Instance[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      instances.push(await startInstance(() => new Cluster([...cluster().nodes]), 'soak:'));
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
  });

  /** Drops the subscribers wherever they are (the channel's master). */
  async function killSubscribers(): Promise<void> {
    const masters = await cluster().masters();
    await Promise.all(masters.map((node) => adminCall(node, 'CLIENT', 'KILL', 'TYPE', 'pubsub')));
  }

  it('2,000 rounds of write on one instance and reads on the others: 0 stale reads', async () => {
    const report = await runSoak({ instances, killSubscribers, rounds: 2000, lanes: 4 });
    expect(report.staleReads).toEqual([]);
    expect(report.rounds).toBe(2000);
    expect(report.kills).toBeGreaterThan(0);
    expect(report.reads).toBeGreaterThan(6000);
    // The caches did serve: the rounds tested them, not Redis alone.
    expect(report.hits).toBeGreaterThan(500);
  }, 60_000);
});
