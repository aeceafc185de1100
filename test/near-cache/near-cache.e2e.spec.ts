import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { createTestApp } from '../support/test-app.js';

const redis = useStandalone();

describe('near cache (replicated hot sessions) on Redis', () => {
  let appA: INestApplication;
  let appB: INestApplication;
  let monitor: RedisMonitor;

  beforeAll(async () => {
    const options = { redis: redis().url, prefix: 'near:', nearCache: { maxEntries: 1000 } };
    appA = await createTestApp(options);
    appB = await createTestApp(options);
    monitor = await RedisMonitor.start(redis().url);
  });
  afterAll(async () => {
    await monitor.stop();
    await appA.close();
    await appB.close();
  });

  async function newSession(data: Record<string, unknown>): Promise<CookieJar> {
    const jar = new CookieJar();
    jar.take(await request(appA.getHttpServer()).put('/t/set').send(data).expect(200));
    return jar;
  }

  it('serves 1,000 read-only requests on one instance with 0 Redis commands after the first', async () => {
    const jar = await newSession({ theme: 'dark' });
    await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header).expect(200);
    const commands = await monitor.during(async () => {
      for (let i = 0; i < 1000; i++) {
        const read = await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header);
        expect(read.body.data).toEqual({ theme: 'dark' });
      }
    });
    expect(commands).toEqual([]);
  });

  it('shows a write on A on the very next request to B', async () => {
    const jar = await newSession({ n: 0 });
    for (let i = 1; i <= 20; i++) {
      // B holds the current version in its cache before each write on A.
      const before = await request(appB.getHttpServer()).get('/t/read').set('cookie', jar.header);
      expect(before.body.data.n).toBe(i - 1);
      await request(appA.getHttpServer()).put('/t/set').set('cookie', jar.header).send({ n: i });
      const after = await request(appB.getHttpServer()).get('/t/read').set('cookie', jar.header);
      expect(after.body.data.n).toBe(i);
    }
  });

  it('ends a session destroyed on A on B at once', async () => {
    const jar = await newSession({ secret: 'x' });
    const cached = await request(appB.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(cached.body.data).toEqual({ secret: 'x' });
    await request(appA.getHttpServer()).post('/t/destroy').set('cookie', jar.header).expect(204);
    const after = await request(appB.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(after.body.isNew).toBe(true);
    expect(after.body.data).toEqual({});
  });
});
