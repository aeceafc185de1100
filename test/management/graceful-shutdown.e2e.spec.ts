import { Redis } from 'ioredis';
import request from 'supertest';
import { SessionStore } from '../../src/index.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

const redis = useStandalone();

describe('graceful shutdown', () => {
  it('lets an in-flight commit finish, then closes the client the module opened', async () => {
    const app = await createTestApp({
      redis: redis().url,
      prefix: 'shut:',
      expiryNotifications: true,
    });
    const store = app.get(SessionStore) as RedisSessionStore;
    const server = app.getHttpServer();
    // The handler waits 300 ms before writing: close() starts while the request is in flight.
    const inFlight = request(server).put('/t/set?delay=300').send({ kept: 'yes' });
    const responded = inFlight.then((response) => response);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await app.close();
    const response = await responded;
    expect(response.status).toBe(200);
    const jar = new CookieJar().take(response);
    expect(jar.header).toMatch(/sid=/);

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(['end', 'close']).toContain(store.client.status);
    const admin = new Redis(redis().url);
    try {
      const keys = await admin.keys('shut:{*');
      expect(keys).toHaveLength(1);
      expect(await admin.hget(keys[0]!, '.kept')).toBe('"yes"');
      // The keyspace subscriber the module opened is gone too.
      const clients = await admin.client('LIST');
      expect(
        String(clients)
          .split('\n')
          .filter((line) => line.includes('psub=1')),
      ).toEqual([]);
    } finally {
      await admin.quit();
    }
  });

  it('leaves a client the user passed in open', async () => {
    const client = new Redis(redis().url);
    const app = await createTestApp({ redis: client, prefix: 'shut2:' });
    await request(app.getHttpServer()).put('/t/set').send({ a: 1 }).expect(200);
    await app.close();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });
});
