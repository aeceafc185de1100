import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

const redis = useStandalone();
const COMMAND_TIMEOUT_MS = 500;

describe('when Redis goes away', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp({ redis: redis().url, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  });
  afterAll(() => app.close());

  it('answers 503 within the command timeout, then recovers by itself', async () => {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).put('/t/set').send({ a: 1 }).expect(200));

    await redis().kill();
    for (const call of [
      () => request(app.getHttpServer()).get('/t/read').set('cookie', jar.header),
      () => request(app.getHttpServer()).put('/t/set').send({ fresh: true }),
    ]) {
      const started = Date.now();
      const response = await call();
      expect(response.status).toBe(503);
      expect(response.body.error).toBe('SessionStoreUnavailableError');
      expect(Date.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS + 100);
    }

    await redis().restart();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await request(app.getHttpServer()).put('/t/set').send({ back: true })).status;
      if (status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  });
});
