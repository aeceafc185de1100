import { Redis } from 'ioredis';
import { useStandalone } from '../harness/index.js';
import { type Instance, startInstance, stopInstance } from './near-cache-fixture.js';
import { runSoak } from './near-cache-soak.js';

const redis = useStandalone();

describe('near cache soak on standalone Redis', () => {
  const instances: Instance[] = [];
  let admin: Redis;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      instances.push(await startInstance(() => new Redis(redis().url), 'soak:'));
    }
    admin = new Redis(redis().url);
  });
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    admin.disconnect();
  });

  it('2,000 rounds of write on one instance and reads on the others: 0 stale reads', async () => {
    const report = await runSoak({
      instances,
      killSubscribers: () => admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'),
      rounds: 2000,
      lanes: 4,
    });
    expect(report.staleReads).toEqual([]);
    expect(report.rounds).toBe(2000);
    expect(report.kills).toBeGreaterThan(0);
    expect(report.reads).toBeGreaterThan(6000);
    // The caches did serve: the rounds tested them, not Redis alone.
    expect(report.hits).toBeGreaterThan(500);
  }, 60_000);
});
