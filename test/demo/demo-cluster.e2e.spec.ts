import { type ChildProcess, spawn } from 'node:child_process';
import { getFreePort } from '../harness/index.js';
import { SampleClient } from '../sample-app/sample-client.js';

/**
 * `npm run demo:cluster` end to end: a Redis, three built sample-app instances and nginx round
 * robin in front. A signed-in session, a cart and the counter stay consistent while requests
 * rotate over the instances, and while one instance is killed.
 */
describe('demo:cluster (nginx round robin over three instances)', () => {
  let demo: ChildProcess;
  let output = '';
  let url = '';
  const instancePids: number[] = [];

  beforeAll(async () => {
    const port = await getFreePort();
    demo = spawn(process.execPath, ['scripts/demo-cluster.js', '--port', String(port)], {
      env: { ...process.env, SESSION_SECRETS: 'demo-cluster-test-secret-0123456789abcdef' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 40_000;
    while (!output.includes('demo ready')) {
      if (demo.exitCode !== null || Date.now() > deadline) {
        throw new Error(`demo:cluster did not start:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    url = `http://127.0.0.1:${port}`;
    for (const match of output.matchAll(/instance app-\d pid=(\d+)/g)) {
      instancePids.push(Number(match[1]));
    }
  });

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGINT');
      await exited;
    }
  });

  it('keeps the session, cart and counter consistent across instances, and when one dies', async () => {
    expect(instancePids).toHaveLength(3);
    const client = new SampleClient(() => url, 'Mozilla/5.0 DemoClient');
    expect((await client.signIn('alice')).status).toBe(200);
    expect((await client.post('/api/cart/items', { sku: 'book', qty: 1 })).status).toBe(201);
    for (let i = 1; i <= 9; i++) {
      expect((await client.post('/api/counter/increment')).body).toEqual({ value: i });
      expect((await client.get('/api/me')).body).toEqual({ name: 'alice' });
    }

    process.kill(instancePids[1]!, 'SIGKILL');

    for (let i = 10; i <= 18; i++) {
      expect((await client.post('/api/counter/increment')).body).toEqual({ value: i });
      expect((await client.get('/api/me')).status).toBe(200);
    }
    expect((await client.post('/api/cart/items', { sku: 'book', qty: 2 })).body).toEqual({
      items: [{ sku: 'book', qty: 3 }],
    });
  });

  it('stops every process it started on SIGINT', async () => {
    const exited = new Promise((resolve) => demo.once('exit', resolve));
    demo.kill('SIGINT');
    await exited;
    for (const pid of instancePids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
