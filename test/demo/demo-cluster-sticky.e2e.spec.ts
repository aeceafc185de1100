import { useStandalone } from '../harness/index.js';
import { SampleClient } from '../sample-app/sample-client.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { type DemoProcess, startDemo } from './demo-process.js';

/**
 * `npm run demo:cluster -- --sticky` with the near cache: nginx hashes the session cookie, so a
 * user stays on one instance and its near cache serves reads without Redis. Correctness never
 * depends on it: when that instance dies, the next one loads the session from Redis.
 */
const redis = useStandalone();

describe('demo:cluster --sticky with the near cache', () => {
  let demo: DemoProcess;
  let monitor: RedisMonitor;

  beforeAll(async () => {
    demo = await startDemo(['--sticky'], { REDIS_URL: redis().url, SESSION_NEAR_CACHE: 'true' });
    monitor = await RedisMonitor.start(redis().url);
  });
  afterAll(async () => {
    await monitor?.stop();
    await demo?.stop();
  });

  it('serves 1,000 read-only requests through nginx with 0 Redis commands after the first', async () => {
    const client = new SampleClient(() => demo.url);
    expect((await client.signIn('bob')).status).toBe(200);
    expect((await client.post('/api/counter/increment')).body).toEqual({ value: 1 });
    await client.get('/api/counter');
    const commands = await monitor.during(async () => {
      for (let i = 0; i < 1000; i++) {
        expect((await client.get('/api/counter')).body).toEqual({ value: 1 });
      }
    });
    expect(commands).toEqual([]);

    // Instances go away one by one (the sticky one among them): nothing is lost.
    let value = 1;
    for (const pid of demo.instancePids.slice(0, 2)) {
      process.kill(pid, 'SIGKILL');
      expect((await client.get('/api/me')).body).toEqual({ name: 'bob' });
      expect((await client.get('/api/counter')).body).toEqual({ value });
      value += 1;
      expect((await client.post('/api/counter/increment')).body).toEqual({ value });
    }
  });
});
