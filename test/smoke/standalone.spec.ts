import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { useStandalone } from '../harness/index.js';

/** A client that fails fast instead of retrying, to observe a dead server. */
function failFastClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    disconnectTimeout: 100, // ioredis otherwise keeps a 2 s timer after a failed connect
  });
  client.on('error', () => undefined);
  return client;
}

describe('standalone harness', () => {
  const redis = useStandalone();

  it('serves SET/GET on a loopback-only server without persistence', async () => {
    expect(redis().host).toBe('127.0.0.1');
    expect(redis().url).toBe(`redis://127.0.0.1:${redis().port}`);
    const client = new Redis(redis().url);
    try {
      await client.set('greeting', 'hello');
      expect(await client.get('greeting')).toBe('hello');
      expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      const [, dir] = (await client.config('GET', 'dir')) as string[];
      expect(dir?.startsWith(tmpdir())).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('kill() makes commands fail and restart() brings the server back on the same port', async () => {
    const { port } = redis();
    const firstPid = redis().pid;
    await redis().kill();
    expect(firstPid).toBeDefined();
    expect(() => process.kill(firstPid as number, 0)).toThrow(
      expect.objectContaining({ code: 'ESRCH' }),
    );

    const down = failFastClient(redis().url);
    try {
      await expect(down.connect().then(() => down.ping())).rejects.toThrow();
    } finally {
      down.disconnect();
    }

    await redis().restart();
    expect(redis().port).toBe(port);
    expect(redis().pid).not.toBe(firstPid);
    const up = new Redis(redis().url);
    try {
      expect(await up.get('greeting')).toBeNull(); // no persistence: the data died with the process
      await up.set('greeting', 'again');
      expect(await up.get('greeting')).toBe('again');
    } finally {
      up.disconnect();
    }
  });

  it('stop() leaves no process behind', async () => {
    const pids = redis().pids();
    expect(pids.length).toBe(1);
    await redis().stop();
    for (const pid of pids) {
      expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    }
  });
});
