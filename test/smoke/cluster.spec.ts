import { Cluster } from 'ioredis';
import { useCluster, waitFor } from '../harness/index.js';

describe('cluster harness', () => {
  const cluster = useCluster();

  // A nested block, so the client is closed (its afterAll) before the cluster stops (outer afterAll).
  describe('with an ioredis Cluster client', () => {
    let client: Cluster;

    beforeAll(() => {
      client = new Cluster(cluster().nodes.map(({ host, port }) => ({ host, port })));
      client.on('error', () => undefined); // MOVED/reconnects during failover are expected
    });

    afterAll(() => client.disconnect());

    const keySlot = async (key: string): Promise<number> =>
      Number(await client.call('CLUSTER', ['KEYSLOT', key]));

    it('runs three masters with three replicas, all on loopback', async () => {
      expect(cluster().nodes).toHaveLength(6);
      expect(cluster().nodes.every((n) => n.host === '127.0.0.1')).toBe(true);
      const masters = await cluster().masters();
      expect(masters).toHaveLength(3);
      const topology = await cluster().topology();
      expect(topology.filter((n) => n.role === 'replica')).toHaveLength(3);
    });

    it('writes two keys of one hash tag in one MULTI', async () => {
      expect(await keySlot('{user1}a')).toBe(await keySlot('{user1}b'));
      const results = await client.multi().set('{user1}a', '1').set('{user1}b', '2').exec();
      expect(results).toEqual([
        [null, 'OK'],
        [null, 'OK'],
      ]);
      expect(await client.mget('{user1}a', '{user1}b')).toEqual(['1', '2']);
    });

    it('writes and reads untagged keys in different slots', async () => {
      const keys = ['alpha', 'bravo', 'charlie', 'delta'];
      const slots = await Promise.all(keys.map(keySlot));
      expect(new Set(slots).size).toBe(keys.length);
      await Promise.all(keys.map((key) => client.set(key, `value-${key}`)));
      expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(
        keys.map((key) => `value-${key}`),
      );
    });

    it('keeps reading and writing after failover() of a replica', async () => {
      const before = await cluster().masters();
      const promoted = await cluster().failover();
      const after = await cluster().masters();
      expect(before).not.toContainEqual(promoted);
      expect(after).toContainEqual(promoted);
      expect(after).toHaveLength(3);

      const keys = ['alpha', 'bravo', 'charlie', 'delta', '{user1}a'];
      const values = await waitFor(
        'the cluster client to read every key after the failover',
        () => Promise.all(keys.map((key) => client.get(key))),
        { timeoutMs: 15000, intervalMs: 100 },
      );
      expect(values).toEqual(['value-alpha', 'value-bravo', 'value-charlie', 'value-delta', '1']);
      await waitFor(
        'the cluster client to write every key after the failover',
        () => Promise.all(keys.map((key) => client.set(key, 'after'))),
        { timeoutMs: 15000, intervalMs: 100 },
      );
      expect(await client.mget('{user1}a', '{user1}b')).toEqual(['after', '2']);
    });

    it('promotes a replica by itself after killNode() of a master; restartNode() rejoins', async () => {
      const [victim] = await cluster().masters();
      if (!victim) throw new Error('no master');
      await cluster().killNode(victim.port);
      await cluster().waitForClusterOk(30000);
      const masters = await cluster().masters();
      expect(masters).toHaveLength(3);
      expect(masters).not.toContainEqual(victim);
      await waitFor(
        'the cluster client to write after the automatic failover',
        () => Promise.all(['alpha', 'bravo', 'charlie', 'delta'].map((k) => client.set(k, 'x'))),
        { timeoutMs: 15000, intervalMs: 100 },
      );

      // Brought back, the old master rejoins as a replica of the node that replaced it.
      await cluster().restartNode(victim.port);
      await cluster().waitForClusterOk(30000);
      const rejoined = (await cluster().topology()).find((n) => n.endpoint.port === victim.port);
      expect(rejoined?.role).toBe('replica');
      expect(rejoined?.failed).toBe(false);
    });
  });

  it('stop() leaves no process behind', async () => {
    const pids = cluster().pids();
    expect(pids).toHaveLength(6);
    await cluster().stop();
    for (const pid of pids) {
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    }
  });
});
