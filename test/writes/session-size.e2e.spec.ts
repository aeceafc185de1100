import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Redis } from 'ioredis';
import { createSessionToken, sessionKeyOf } from '../../src/security/session-token.js';
import {
  MemorySessionStore,
  RedisSessionStore,
  type SessionModuleOptions,
} from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createGatedApp, gates } from './gated-app.js';

const redis = useStandalone();
const KEY_BYTES = 40_000;
/** The default `maxSessionBytes`. */
const DEFAULT_LIMIT = 65_536;

function dataBytes(data: Record<string, unknown>): number {
  return Object.entries(data).reduce(
    (sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value)),
    0,
  );
}

function scenarios(name: string, options: () => Partial<SessionModuleOptions>) {
  describe(`maxSessionBytes across requests (${name})`, () => {
    const apps: INestApplication[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });
    async function app(extra: Partial<SessionModuleOptions> = {}) {
      const created = await createGatedApp({ ...options(), ...extra });
      apps.push(created);
      return created.getHttpServer();
    }

    it('8 concurrent 40 KB keys: the stored session stays under the limit, the rest get 413', async () => {
      const server = await app();
      const jar = new CookieJar();
      jar.take(await request(server).post('/g/sign-in').send({ id: 'u1' }).expect(200));
      const gate = `${name}-grow`;
      const writes = Array.from({ length: 8 }, (_, i) =>
        request(server)
          .post('/g/set')
          .set('Cookie', jar.header)
          .send({ gate, values: { [`k${i}`]: 'x'.repeat(KEY_BYTES) } })
          .then((response) => response),
      );
      await gates.arrived(gate, 8);
      gates.open(gate);
      const responses = await Promise.all(writes);
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 413)).toHaveLength(7);
      for (const refused of responses.filter((response) => response.status === 413)) {
        expect(refused.body.error).toBe('SessionTooLargeError');
      }
      const read = await request(server).post('/g/read').set('Cookie', jar.header).expect(200);
      expect(dataBytes(read.body.data)).toBeLessThanOrEqual(DEFAULT_LIMIT);
      // Sign-out, regenerate and destroy always work.
      jar.take(await request(server).post('/g/sign-out').set('Cookie', jar.header).expect(200));
      jar.take(
        await request(server).post('/g/regenerate').set('Cookie', jar.header).send({}).expect(200),
      );
      await request(server).post('/g/destroy').set('Cookie', jar.header).expect(200);
    });

    it('over a lowered limit: growth gets 413 and writes nothing; shrinking, sign-out, regenerate and destroy work', async () => {
      const generous = await app();
      const strict = await app({ maxSessionBytes: 20_000 });
      const jar = new CookieJar();
      jar.take(await request(generous).post('/g/sign-in').send({ id: 'u2' }).expect(200));
      const big = 'y'.repeat(KEY_BYTES);
      await request(generous)
        .post('/g/set')
        .set('Cookie', jar.header)
        .send({ values: { a: big, b: 'small' } })
        .expect(200);
      const grow = await request(strict)
        .post('/g/set')
        .set('Cookie', jar.header)
        .send({ values: { c: 'more' } });
      expect(grow.status).toBe(413);
      expect(grow.body.error).toBe('SessionTooLargeError');
      const unchanged = await request(strict).post('/g/read').set('Cookie', jar.header).expect(200);
      expect(unchanged.body.data).toEqual({ a: big, b: 'small' });
      await request(strict)
        .post('/g/set')
        .set('Cookie', jar.header)
        .send({ values: { b: null } })
        .expect(200);
      jar.take(
        await request(strict)
          .post('/g/sign-out')
          .set('Cookie', jar.header)
          .send({ keepData: true })
          .expect(200),
      );
      jar.take(
        // Keeping the data, so that the regeneration carries the whole over-limit session.
        await request(strict)
          .post('/g/regenerate')
          .set('Cookie', jar.header)
          .send({ keepData: true })
          .expect(200),
      );
      const read = await request(strict).post('/g/read').set('Cookie', jar.header).expect(200);
      expect(read.body.data).toEqual({ a: big, b: null });
      await request(strict).post('/g/destroy').set('Cookie', jar.header).expect(200);
      const after = await request(strict).post('/g/read').set('Cookie', jar.header).expect(200);
      expect(after.body.data).toEqual({});
    });
  });
}

const memory = new MemorySessionStore();
afterAll(() => memory.close());
scenarios('memory', () => ({ store: memory }));
scenarios('redis', () => ({ redis: redis().url, prefix: 'size:' }));

describe('the size the Redis store keeps (hash field z)', () => {
  it('is rebuilt for a session stored without it, and follows sets, deletes and clears', async () => {
    const client = new Redis(redis().url);
    try {
      const store = new RedisSessionStore({ client, prefix: 'size-z:' });
      const key = sessionKeyOf(createSessionToken());
      const base = { idleTimeoutMs: 60_000, delete: [] as string[], maxBytes: 100 };
      const now = Date.now();
      await store.commit(key, {
        ...base,
        now,
        create: { absoluteDeadline: now + 60_000 },
        set: { a: '"12345"', bb: '"x"' },
      });
      // a(1) + 7, bb(2) + 3
      expect(await client.hget(store.keyOf(key), 'z')).toBe('13');
      // A session written before the size was kept: the script measures it once.
      await client.hdel(store.keyOf(key), 'z');
      const grow = await store.commit(key, { ...base, now, set: { c: `"${'y'.repeat(90)}"` } });
      expect(grow).toEqual({ status: 'too-large', bytes: 13 + 1 + 92 });
      expect(await client.hexists(store.keyOf(key), '.c')).toBe(0);
      const swap = await store.commit(key, { ...base, now, set: { a: '"1"' }, delete: ['bb'] });
      expect(swap.status).toBe('committed');
      expect(await client.hget(store.keyOf(key), 'z')).toBe('4');
      const cleared = await store.commit(key, { ...base, now, set: { d: '1' }, clearData: true });
      expect(cleared.status).toBe('committed');
      expect(await client.hget(store.keyOf(key), 'z')).toBe('2');
    } finally {
      await client.quit();
    }
  });
});
