import { SampleClient } from '../sample-app/sample-client.js';
import { type DemoProcess, startDemo } from './demo-process.js';

/**
 * `npm run demo:cluster` end to end: a Redis, three built sample-app instances and nginx round
 * robin in front. A signed-in session, a cart and the counter stay consistent while requests
 * rotate over the instances, and while one instance is killed.
 */
describe('demo:cluster (nginx round robin over three instances)', () => {
  let demo: DemoProcess;

  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo?.stop());

  it('keeps the session, cart and counter consistent across instances, and when one dies', async () => {
    expect(demo.instancePids).toHaveLength(3);
    const client = new SampleClient(() => demo.url);
    expect((await client.signIn('alice')).status).toBe(200);
    expect((await client.post('/api/cart/items', { sku: 'book', qty: 1 })).status).toBe(201);
    for (let i = 1; i <= 9; i++) {
      expect((await client.post('/api/counter/increment')).body).toEqual({ value: i });
      expect((await client.get('/api/me')).body).toEqual({ name: 'alice' });
    }

    process.kill(demo.instancePids[1]!, 'SIGKILL');

    for (let i = 10; i <= 18; i++) {
      expect((await client.post('/api/counter/increment')).body).toEqual({ value: i });
      expect((await client.get('/api/me')).status).toBe(200);
    }
    expect((await client.post('/api/cart/items', { sku: 'book', qty: 2 })).body).toEqual({
      items: [{ sku: 'book', qty: 3 }],
    });
  });

  it('stops every process it started on SIGINT', async () => {
    await demo.stop();
    for (const pid of demo.instancePids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
