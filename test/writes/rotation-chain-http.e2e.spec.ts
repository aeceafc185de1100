import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { MemorySessionStore, type SessionModuleOptions } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

const redis = useStandalone();
/** The shortest interval the options allow; the grace spans several rotations. */
const ROTATION = { intervalMs: 1000, graceMs: 30_000 };
// The clock must pass the interval for a rotation to be due: this waits, it asserts no timing.
const letIntervalPass = () =>
  new Promise((resolve) => setTimeout(resolve, ROTATION.intervalMs + 100));

function scenario(name: string, options: () => Partial<SessionModuleOptions>) {
  describe(`rotation interval shorter than its grace (${name})`, () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createTestApp({ ...options(), rotation: ROTATION });
    });
    afterAll(() => app.close());

    it('tokens two rotations old still reach the session, and reading with them deletes nothing', async () => {
      const server = app.getHttpServer();
      const jar = new CookieJar();
      jar.take(await request(server).put('/t/set').send({ a: 1 }).expect(200));
      const tokens = [jar.header];
      for (let i = 0; i < 2; i++) {
        await letIntervalPass();
        jar.take(await request(server).get('/t/read').set('cookie', jar.header).expect(200));
        expect(jar.header).not.toBe(tokens[tokens.length - 1]);
        tokens.push(jar.header);
      }
      // Oldest first: a read through two pointers must not take the newer pointer for expired.
      for (const cookie of tokens) {
        const read = await request(server).get('/t/read').set('cookie', cookie).expect(200);
        expect(read.body).toMatchObject({ isNew: false, data: { a: 1 } });
      }
    });
  });
}

const memory = new MemorySessionStore();
afterAll(() => memory.close());
scenario('memory', () => ({ store: memory }));
scenario('redis', () => ({ redis: redis().url, prefix: 'chain-http:' }));
