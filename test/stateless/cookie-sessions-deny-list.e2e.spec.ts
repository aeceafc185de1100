import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CookieSessionStore, SessionStore } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import request from 'supertest';
import { recordEvents } from '../security/security-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';
import { Client, createCookieSessionApp, SEAL_KEY_1 } from './stateless-app.js';

const redis = useStandalone();

describe('cookie sessions with a Redis deny-list: revocation', () => {
  let app: INestApplication;
  let client: Redis;
  beforeAll(async () => {
    app = await createCookieSessionApp({
      prefix: 'cs:',
      cookieSessions: { keys: [SEAL_KEY_1], denyList: redis().url },
    });
    client = new Redis(redis().url);
  });
  afterAll(async () => {
    client.disconnect();
    await app.close();
  });

  it('sign-out ends a copied cookie: the copy is refused, the signed-out browser goes on', async () => {
    const user = await new Client(app).start();
    await user.post('/s/sign-in', { id: 'alice' });
    await user.post('/s/set', { cart: ['book'] });
    const stolen = user.jar.header;
    expect((await user.get('/s/me', stolen).expect(200)).body.principal).toEqual({ id: 'alice' });

    await user.post('/s/sign-out', {}).then((r) => expect(r.status).toBe(200));
    const unknown = recordEvents(app, 'unknown-token');
    const replay = await user.get('/s/read', stolen).expect(200);
    expect(replay.body).toMatchObject({ isNew: true, data: {} });
    expect(replay.body.principal).toBeUndefined();
    expect(unknown.map((event) => event.reason)).toEqual(['unknown']);
    const own = await user.get('/s/read').expect(200);
    expect(own.body.principal).toBeUndefined();
    // signOut() empties the data (as passport's logout does).
    expect(own.body.data).toEqual({});
  });

  it('fixation: the pre-sign-in cookie is refused after sign-in', async () => {
    const user = await new Client(app).start();
    await user.post('/s/set', { cart: ['pen'] });
    const before = user.jar.header;
    await user.post('/s/sign-in', { id: 'bob' });
    const old = await user.get('/s/read', before).expect(200);
    expect(old.body).toMatchObject({ isNew: true, data: {} });
    expect((await user.get('/s/read').expect(200)).body.principal).toEqual({ id: 'bob' });
  });

  it('destroy ends every copy; the entry lives until the absolute deadline, no longer', async () => {
    const plain = await createTestApp({
      prefix: 'cs2:',
      cookieSessions: { keys: [SEAL_KEY_1], denyList: redis().url },
    });
    try {
      const jar = new CookieJar();
      jar.take(await request(plain.getHttpServer()).put('/t/set').send({ a: 1 }).expect(200));
      const copy = jar.header;
      const { id } = (await request(plain.getHttpServer()).get('/t/read').set('cookie', copy))
        .body as { id: string };
      await request(plain.getHttpServer()).post('/t/destroy').set('cookie', copy).expect(204);
      const replay = await request(plain.getHttpServer()).get('/t/read').set('cookie', copy);
      expect(replay.body).toMatchObject({ isNew: true, data: {} });
      const ttl = await client.pttl(`cs2:deny:${id}`);
      expect(ttl).toBeGreaterThan(8 * 3_600_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(8 * 3_600_000);
    } finally {
      await plain.close();
    }
  });

  it('an ordinary request costs one EXISTS and nothing else', async () => {
    const user = await new Client(app).start();
    await user.post('/s/set', { a: 1 });
    expect(app.get(SessionStore)).toBeInstanceOf(CookieSessionStore);
    const before = await commandCounts(client);
    await user.get('/s/read').expect(200);
    const after = await commandCounts(client);
    expect(after.exists - before.exists).toBe(1);
    expect(after.total - before.total).toBe(1);
  });
});

/** Commands the server has run, from INFO commandstats (INFO itself excluded). */
async function commandCounts(client: Redis): Promise<{ exists: number; total: number }> {
  const info = await client.info('commandstats');
  let exists = 0;
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) {
    if (match[1] === 'info') continue;
    total += Number(match[2]);
    if (match[1] === 'exists') exists = Number(match[2]);
  }
  return { exists, total };
}
