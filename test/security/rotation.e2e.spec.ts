import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';
import { recordEvents } from './security-app.js';

const redis = useStandalone();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The shortest interval the options allow. */
const INTERVAL = 1000;

/** The Redis key of a session from its public id (`tag.hash` → `prefix{tag}hash`). */
function redisKeyOf(prefix: string, sessionId: string): string {
  const [tag, hash] = sessionId.split('.');
  return `${prefix}{${tag}}${hash}`;
}

function setCookies(response: request.Response): string[] {
  return ([] as string[]).concat(response.headers['set-cookie'] ?? []);
}

describe('token rotation of living sessions on real Redis', () => {
  let raw: Redis;
  const apps: INestApplication[] = [];

  beforeAll(() => {
    raw = new Redis(redis().url);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    raw.disconnect();
  });

  async function appWith(prefix: string, rotation: SessionModuleOptions['rotation']) {
    const app = await createTestApp({ redis: redis().url, prefix, rotation });
    apps.push(app);
    return app;
  }

  /** A stored session holding `{ a: 1 }`: its cookie jar and public id. */
  async function startSession(app: INestApplication) {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).put('/t/set').send({ a: 1 }).expect(200));
    const read = await request(app.getHttpServer()).get('/t/read').set('cookie', jar.header);
    return { jar, id: read.body.id as string };
  }

  const read = (app: INestApplication, cookie: string) =>
    request(app.getHttpServer()).get('/t/read').set('cookie', cookie).expect(200);

  it('gives a new token after the interval; without grace the old one is dead at once', async () => {
    const app = await appWith('rot0:', { intervalMs: INTERVAL });
    const regenerated = recordEvents(app, 'regenerated');
    const { jar, id } = await startSession(app);
    const old = jar.header;

    const early = await read(app, old);
    expect(early.body.id).toBe(id);
    expect(regenerated).toHaveLength(0);

    await sleep(INTERVAL + 100);
    const due = await read(app, old);
    expect(setCookies(due)).toHaveLength(1);
    jar.take(due);
    expect(jar.header).not.toBe(old);
    // The request that rotated still saw its session (the token changes at its commit); the
    // response carries the new token.
    expect(due.body).toMatchObject({ isNew: false, id, data: { a: 1 } });
    const renewed = await read(app, jar.header);
    expect(renewed.body).toMatchObject({ isNew: false, data: { a: 1 } });
    expect(renewed.body.id).not.toBe(id);
    expect(regenerated).toEqual([
      expect.objectContaining({ previousSessionId: id, sessionId: renewed.body.id }),
    ]);
    expect((await read(app, old)).body).toMatchObject({ isNew: true, data: {} });
    expect(await raw.exists(redisKeyOf('rot0:', id))).toBe(0);
  });

  it('with grace, the old token still reaches the session until the grace is over', async () => {
    const app = await appWith('rotg:', { intervalMs: INTERVAL, graceMs: 1500 });
    const { jar, id } = await startSession(app);
    const old = jar.header;
    await sleep(INTERVAL + 100);
    const due = await read(app, old);
    jar.take(due);
    const newId = (await read(app, jar.header)).body.id as string;
    expect(newId).not.toBe(id);

    // The old key is only a pointer to the new one, expiring with the grace.
    expect(await raw.hgetall(redisKeyOf('rotg:', id))).toEqual({
      '>': redisKeyOf('rotg:', newId),
    });
    const pttl = await raw.pttl(redisKeyOf('rotg:', id));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1500);

    // A request in flight with the old token: same session, no new session, no cookie resent.
    const late = await request(app.getHttpServer())
      .put('/t/set')
      .set('cookie', old)
      .send({ b: 2 })
      .expect(200);
    expect(setCookies(late)).toEqual([]);
    const viaOld = await read(app, old);
    expect(viaOld.body).toMatchObject({ isNew: false, data: { a: 1, b: 2 } });
    expect(setCookies(viaOld)).toEqual([]);
    expect((await read(app, jar.header)).body).toMatchObject({ data: { a: 1, b: 2 } });

    await sleep(1600);
    expect((await read(app, old)).body).toMatchObject({ isNew: true, data: {} });
    expect((await read(app, jar.header)).body).toMatchObject({
      isNew: false,
      data: { a: 1, b: 2 },
    });
  });

  it('two requests in flight when the token is due: one rotates, both writes survive', async () => {
    const app = await appWith('rotc:', { intervalMs: INTERVAL, graceMs: 2000 });
    const regenerated = recordEvents(app, 'regenerated');
    const { jar } = await startSession(app);
    const old = jar.header;
    await sleep(INTERVAL + 100);
    const [first, second] = await Promise.all([
      request(app.getHttpServer()).put('/t/set?delay=300').set('cookie', old).send({ b: 2 }),
      request(app.getHttpServer()).put('/t/set?delay=300').set('cookie', old).send({ c: 3 }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    // Exactly one response hands out a token: the rotated one. The other sends nothing, so it
    // cannot overwrite the new cookie with the old token, nor clear it.
    const withCookie = [first, second].filter((response) => setCookies(response).length > 0);
    expect(withCookie).toHaveLength(1);
    expect(regenerated).toHaveLength(1);
    jar.take(withCookie[0]!);
    expect(jar.header).not.toBe(old);
    expect((await read(app, jar.header)).body).toMatchObject({
      isNew: false,
      data: { a: 1, b: 2, c: 3 },
    });
  });

  it('signing out with the old token during the grace ends the session', async () => {
    const app = await appWith('rotd:', { intervalMs: INTERVAL, graceMs: 2000 });
    const { jar } = await startSession(app);
    const old = jar.header;
    await sleep(INTERVAL + 100);
    jar.take(await read(app, old));
    await request(app.getHttpServer()).post('/t/destroy').set('cookie', old).expect(204);
    expect((await read(app, jar.header)).body).toMatchObject({ isNew: true, data: {} });
  });
});
