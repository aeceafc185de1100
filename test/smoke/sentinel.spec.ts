import { Redis } from 'ioredis';
import { parseInfo, useSentinel, waitFor, type RedisEndpoint } from '../harness/index.js';

/** The port of the server `client` is connected to right now. */
async function connectedPort(client: Redis): Promise<number> {
  return Number(parseInfo(await client.info('server')).tcp_port);
}

/**
 * Retries (bounded) until `client` talks to `master` and `fn` succeeds there: after a failover the
 * client has to notice, reconnect through the sentinels and resend.
 */
function onMaster<T>(client: Redis, master: RedisEndpoint, fn: () => Promise<T>): Promise<T> {
  return waitFor(
    `the sentinel client to work against the new master 127.0.0.1:${master.port}`,
    async () => {
      const port = await connectedPort(client);
      if (port !== master.port) throw new Error(`client still on port ${port}`);
      return fn();
    },
    { timeoutMs: 20000, intervalMs: 100 },
  );
}

describe('sentinel harness', () => {
  const group = useSentinel();

  // A nested block, so the client is closed (its afterAll) before the group stops (outer afterAll).
  describe('with an ioredis sentinel client', () => {
    let client: Redis;

    beforeAll(() => {
      client = new Redis({
        sentinels: group().sentinels.map(({ host, port }) => ({ host, port })),
        name: group().masterName,
        retryStrategy: () => 100,
      });
      client.on('error', () => undefined); // reconnects during failover are expected
    });

    afterAll(() => client.disconnect());

    it('finds the master through the sentinels and replicates writes', async () => {
      const master = await group().currentMaster();
      expect(group().nodes[0]).toEqual(master);
      await client.set('session:1', 'alice');
      expect(await connectedPort(client)).toBe(master.port);
      expect(await client.call('WAIT', ['1', '1000'])).toBe(1);
      expect(await client.get('session:1')).toBe('alice');
    });

    it('keeps working after failover() and reads its data on the new master', async () => {
      const before = await group().currentMaster();
      const after = await group().failover();
      expect(after).not.toEqual(before);
      expect(group().nodes).toContainEqual(after);
      expect(await group().currentMaster()).toEqual(after);

      expect(await onMaster(client, after, () => client.get('session:1'))).toBe('alice');
      await onMaster(client, after, () => client.set('session:2', 'bob'));
      expect(await client.call('WAIT', ['1', '1000'])).toBe(1);
    });

    it('allows a second failover straight after the first', async () => {
      const before = await group().currentMaster();
      const after = await group().failover();
      expect(after).not.toEqual(before);
      expect(after).toEqual(group().nodes[0]);
      expect(await onMaster(client, after, () => client.mget('session:1', 'session:2'))).toEqual([
        'alice',
        'bob',
      ]);
    });

    it('fails over automatically after killMaster()', async () => {
      const killed = await group().killMaster();
      const promoted = await group().waitForMasterChange(killed);
      expect(promoted).not.toEqual(killed);
      expect(await onMaster(client, promoted, () => client.get('session:2'))).toBe('bob');
    });
  });

  it('stop() leaves no process behind', async () => {
    const pids = group().pids();
    expect(pids.length).toBe(5);
    await group().stop();
    for (const pid of pids) {
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    }
  });
});
