import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useCluster } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createSecurityApp, recordEvents } from './security-app.js';

const cluster = useCluster();

describe('regeneration on Redis Cluster', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createSecurityApp({
      redis: { clusterNodes: cluster().nodes.map(({ host, port }) => ({ host, port })) },
      prefix: 'clr:',
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('signs in (regenerate) on many sessions across slots without CROSSSLOT; old tokens die', async () => {
    const regenerated = recordEvents(app, 'regenerated');
    for (let i = 0; i < 20; i++) {
      const jar = new CookieJar();
      const csrf = await request(app.getHttpServer()).get('/s/csrf').expect(200);
      jar.take(csrf);
      const before = jar.header;
      const signIn = await request(app.getHttpServer())
        .post('/s/sign-in')
        .set('cookie', before)
        .set('x-csrf-token', csrf.body.token)
        .send({ id: `user-${i}` });
      expect([i, signIn.status]).toEqual([i, 200]);
      jar.take(signIn);
      const fresh = await request(app.getHttpServer()).get('/s/read').set('cookie', jar.header);
      expect(fresh.body.principal).toEqual({ id: `user-${i}` });
      const old = await request(app.getHttpServer()).get('/s/read').set('cookie', before);
      expect(old.body.isNew).toBe(true);
    }
    expect(regenerated).toHaveLength(20);
  });
});
