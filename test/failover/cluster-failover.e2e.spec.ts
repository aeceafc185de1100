import type { INestApplication } from '@nestjs/common';
import { useCluster } from '../harness/index.js';
import { createManagementApp } from '../management/management-test-app.js';
import { CountingClient, type Outcome, runLoad, waitForRecovery } from './failover-load.js';

const COMMAND_TIMEOUT_MS = 1000;
const cluster = useCluster();

describe('Cluster failover with replicaAcks: 1', () => {
  let app: INestApplication;

  beforeAll(async () => {
    ({ app } = await createManagementApp({
      redis: { clusterNodes: cluster().nodes.map(({ host, port }) => ({ host, port })) },
      prefix: 'fo-cluster:',
      replicaAcks: 1,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
    }));
  });
  afterAll(() => app.close());

  it('keeps every acknowledged write through a killed master; no request hangs', async () => {
    const clients = Array.from({ length: 24 }, () => new CountingClient(app));
    for (const client of clients) await client.start();
    const load = runLoad(clients);
    let outcomes: Outcome[];
    const [victim] = await cluster().masters();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const killedAt = Date.now();
      await cluster().killNode(victim!.port);
      // Its replica takes over (cluster-node-timeout 2 s); the old master then comes back and
      // rejoins as the new master's replica, so `WAIT 1` can succeed again on that shard.
      await waitForPromotion(victim!.port);
      const promotedAt = Date.now();
      await cluster().restartNode(victim!.port);
      const recoveredAt = await waitForRecovery(load.outcomes, promotedAt, 48, 40_000);
      const all = await load.stop();
      const failed = all.filter((o) => o.endedAt > killedAt && o.status !== 200);
      console.log(
        `cluster: master ${victim!.port} killed, replica promoted after ${promotedAt - killedAt} ms, ` +
          `all writes acknowledged again ${recoveredAt - killedAt} ms after the kill (old master ` +
          `rejoined as replica); ${all.length} writes, ${failed.length} failed fast, ` +
          `slowest ${Math.max(...all.map((o) => o.ms))} ms`,
      );
      expect(failed.length).toBeGreaterThan(0);
    } finally {
      outcomes = await load.stop();
    }
    expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set([200, 503]));
    // No request hung: a hang ends as status -1 (the client gives up after 15 s), and the set above
    // holds only 200 and 503. How fast they failed is reported above, not asserted: a timed
    // assertion fails on a loaded machine, and speed is the benchmarks' business.
    for (const client of clients) {
      expect(await client.read()).toBeGreaterThanOrEqual(client.lastAcked);
    }
  });

  async function waitForPromotion(killedPort: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const masters = await cluster()
        .masters()
        .catch(() => []);
      if (masters.length === 3 && !masters.some((m) => m.port === killedPort)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('no replica was promoted within 30 s');
  }
});
