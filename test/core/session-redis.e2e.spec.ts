import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { createTestApp } from '../support/test-app.js';

const redis = useStandalone();

describe('session on real Redis (standalone)', () => {
  let appA: INestApplication;
  let appB: INestApplication;
  let monitor: RedisMonitor;
  let admin: Redis;

  beforeAll(async () => {
    appA = await createTestApp({ redis: redis().url, prefix: 'core:' });
    appB = await createTestApp({ redis: redis().url, prefix: 'core:' });
    monitor = await RedisMonitor.start(redis().url);
    admin = new Redis(redis().url);
  });
  afterAll(async () => {
    await monitor.stop();
    await admin.quit();
    await appA.close();
    await appB.close();
  });

  async function newSession(app: INestApplication, data: Record<string, unknown>) {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).put('/t/set').send(data).expect(200));
    return jar;
  }

  it('follows the user from one server to the other', async () => {
    const jar = await newSession(appA, { theme: 'dark', since: '2026-01-01' });
    const read = await request(appB.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(read.body.data).toEqual({ theme: 'dark', since: '2026-01-01' });
  });

  it('costs one command for a read-only request and one more to write a change', async () => {
    const jar = await newSession(appA, { theme: 'dark' });
    await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header).expect(200);

    const readOnly = await monitor.during(() =>
      request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header).expect(200),
    );
    expect(readOnly.map((c) => c.name)).toEqual(['evalsha']);

    const changing = await monitor.during(() =>
      request(appA.getHttpServer())
        .put('/t/set')
        .set('cookie', jar.header)
        .send({ theme: 'light' }),
    );
    // One load, then one commit that carries only the changed field.
    expect(changing.map((c) => c.name)).toEqual(['evalsha', 'evalsha']);
    expect(changing[1]!.args).toContain('.theme');
    expect(changing[1]!.args).toContain('"light"');
  });

  it('costs two commands for a locked increment: lock with load and fence, commit with release', async () => {
    const jar = await newSession(appA, { counter: 1 });
    await request(appA.getHttpServer()).post('/t/locked-increment').set('cookie', jar.header);
    const locked = await monitor.during(() =>
      request(appA.getHttpServer())
        .post('/t/locked-increment')
        .set('cookie', jar.header)
        .expect(200, { value: 3 }),
    );
    // EVALSHA sha numkeys keys...: the lock-then-load script (session and lock keys), then the
    // commit (session, target and lock keys). No load before the lock, no reload under it.
    expect(locked.map((c) => [c.name, c.args[1]])).toEqual([
      ['evalsha', '2'],
      ['evalsha', '3'],
    ]);
    expect(locked[0]!.args[3]).toMatch(/^core:\{.+\}.+:lock$/);
    // The lock key is in the session's slot and is gone after the commit: no separate release.
    expect(await admin.keys('core:*:lock')).toEqual([]);
  });

  it('keeps both changes when two servers change different keys concurrently', async () => {
    const jar = await newSession(appA, { start: 1 });
    const [a, b] = await Promise.all([
      request(appA.getHttpServer())
        .put('/t/set?delay=150')
        .set('cookie', jar.header)
        .send({ a: 1 }),
      request(appB.getHttpServer())
        .put('/t/set?delay=150')
        .set('cookie', jar.header)
        .send({ b: 2 }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const read = await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(read.body.data).toEqual({ start: 1, a: 1, b: 2 });
  });

  it('sees nested mutation', async () => {
    const jar = await newSession(appA, { list: ['x'] });
    await request(appB.getHttpServer())
      .post('/t/push')
      .set('cookie', jar.header)
      .send({ item: 'y' })
      .expect(201);
    const read = await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(read.body.data.list).toEqual(['x', 'y']);
  });

  it('gives a forged or malformed cookie a fresh session without a store lookup', async () => {
    const jar = await newSession(appA, { secret: 'victim data' });
    const good = jar.get('sid')!;
    const forged = [
      good.slice(0, -5),
      `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`,
      'x'.repeat(10 * 1024),
      '%%%not-base64%%%.@@@',
      `${good.split('.').slice(0, 2).join('.')}.`,
      'a.b.c.d.e',
    ];
    for (const value of forged) {
      const commands = await monitor.during(async () => {
        const response = await request(appA.getHttpServer())
          .get('/t/read')
          .set('cookie', `sid=${value}`);
        expect(response.status).toBe(200);
        expect(response.body.isNew).toBe(true);
        expect(response.body.data).toEqual({});
      });
      expect(commands).toEqual([]);
    }
  });

  it('never stores the token: keys hold a hash of the secret', async () => {
    const jar = await newSession(appA, { x: 1 });
    const token = decodeURIComponent(jar.get('sid')!).split('.').slice(0, 2).join('.');
    const secret = token.split('.')[1]!;
    const keys = await admin.keys('core:*');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toContain(secret);
  });

  it('writes nothing for an empty new session', async () => {
    const before = await admin.dbsize();
    const response = await request(appA.getHttpServer()).get('/t/read').expect(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(await admin.dbsize()).toBe(before);
  });

  it('refuses a value that cannot be serialised and writes nothing', async () => {
    const jar = await newSession(appA, { keep: 'me' });
    const response = await request(appA.getHttpServer())
      .post('/t/bigint')
      .set('cookie', jar.header);
    expect(response.status).toBe(500);
    const read = await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(read.body.data).toEqual({ keep: 'me' });
  });

  it('refuses a session over the size limit with 413 and writes nothing', async () => {
    const small = await createTestApp({
      redis: redis().url,
      prefix: 'core:',
      maxSessionBytes: 1024,
    });
    try {
      const jar = await newSession(small, { keep: 'me' });
      const response = await request(small.getHttpServer())
        .put('/t/set')
        .set('cookie', jar.header)
        .send({ big: 'x'.repeat(2000) });
      expect(response.status).toBe(413);
      expect(response.body.error).toBe('SessionTooLargeError');
      const read = await request(small.getHttpServer()).get('/t/read').set('cookie', jar.header);
      expect(read.body.data).toEqual({ keep: 'me' });
    } finally {
      await small.close();
    }
  });

  it('regenerates with { keepData: true }: new token works, old token is dead, data kept', async () => {
    const jar = await newSession(appA, { cart: ['a'] });
    const oldCookie = jar.header;
    jar.take(
      await request(appA.getHttpServer())
        .post('/t/regenerate')
        .set('cookie', oldCookie)
        .send({ keepData: true })
        .expect(201),
    );
    expect(jar.header).not.toBe(oldCookie);
    const withNew = await request(appB.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(withNew.body.data).toEqual({ cart: ['a'] });
    const withOld = await request(appB.getHttpServer()).get('/t/read').set('cookie', oldCookie);
    expect(withOld.body.isNew).toBe(true);
    expect(withOld.body.data).toEqual({});
  });

  it('destroy wins over a write in flight', async () => {
    const jar = await newSession(appA, { n: 1 });
    const slowWrite = request(appB.getHttpServer())
      .put('/t/set?delay=200')
      .set('cookie', jar.header)
      .send({ n: 2 })
      .then((response) => response); // supertest sends on then(): start it now
    await new Promise((resolve) => setTimeout(resolve, 50));
    await request(appA.getHttpServer()).post('/t/destroy').set('cookie', jar.header).expect(204);
    await slowWrite;
    const read = await request(appA.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(read.body.isNew).toBe(true);
    expect(read.body.data).toEqual({});
  });
});
