import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

const redis = useStandalone();

describe('when Redis answers with an error', () => {
  let app: INestApplication;
  let admin: Redis;
  beforeAll(async () => {
    app = await createTestApp({ redis: redis().url, prefix: 'refuse:' });
    admin = new Redis(redis().url);
  });
  afterAll(async () => {
    await admin.quit();
    await app.close();
  });

  it('reports a key of the wrong type as a refusal (500), not as an outage (503)', async () => {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).put('/t/set').send({ a: 1 }).expect(200));
    const [key] = await admin.keys('refuse:*');
    await admin.del(key!);
    await admin.set(key!, 'not a hash');
    const response = await request(app.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(response.status).toBe(500);
    expect(await admin.get(key!)).toBe('not a hash');
  });
});
