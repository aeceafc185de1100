import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

describe('session on the memory store', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('keeps data across requests', async () => {
    const jar = new CookieJar();
    const first = await request(app.getHttpServer()).put('/t/set').send({ theme: 'dark' });
    expect(first.status).toBe(200);
    jar.take(first);
    expect(jar.get('sid')).toBeDefined();
    const second = await request(app.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(second.body.data).toEqual({ theme: 'dark' });
    expect(second.body.isNew).toBe(false);
  });
});
