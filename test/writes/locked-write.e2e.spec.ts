import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { MemorySessionStore, type SessionModuleOptions } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createGatedApp, gates } from './gated-app.js';

const redis = useStandalone();

function scenarios(name: string, options: () => Partial<SessionModuleOptions>) {
  describe(`@SessionLock() (default options) beside default writes (${name})`, () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await createGatedApp(options());
    });
    afterAll(() => app.close());

    async function seeded(): Promise<CookieJar> {
      const jar = new CookieJar();
      jar.take(
        await request(app.getHttpServer())
          .post('/g/set')
          .send({ values: { list: ['seed'] } })
          .expect(200),
      );
      return jar;
    }

    const list = async (jar: CookieJar): Promise<string[]> =>
      (await request(app.getHttpServer()).post('/g/read').set('Cookie', jar.header).expect(200))
        .body.data.list;

    it('a default write of the same key inside the critical section is not overwritten', async () => {
      const server = app.getHttpServer();
      const jar = await seeded();
      const gate = `${name}-same-key`;
      const locked = request(server)
        .post('/g/locked-push')
        .set('Cookie', jar.header)
        .send({ gate, item: 'locked' })
        .then((response) => response);
      await gates.arrived(gate, 1);
      // The locked handler has read ['seed'] under its lock; a default write lands meanwhile.
      await request(server)
        .post('/g/push')
        .set('Cookie', jar.header)
        .send({ item: 'default' })
        .expect(200);
      gates.open(gate);
      const lockedResponse = await locked;
      const stored = await list(jar);
      expect(stored).toContain('default');
      if (lockedResponse.status === 200) {
        expect(stored).toContain('locked');
      } else {
        // A refusal is typed, and the locked handler wrote nothing.
        expect(lockedResponse.status).toBe(409);
        expect(lockedResponse.body.error).toBe('SessionConflictError');
        expect(stored).toEqual(['seed', 'default']);
      }
    });

    it('a default write of another key inside the critical section and the locked write both land', async () => {
      const server = app.getHttpServer();
      const jar = await seeded();
      const gate = `${name}-other-key`;
      const locked = request(server)
        .post('/g/locked-push')
        .set('Cookie', jar.header)
        .send({ gate, item: 'locked' })
        .then((response) => response);
      await gates.arrived(gate, 1);
      await request(server)
        .post('/g/set')
        .set('Cookie', jar.header)
        .send({ values: { other: 1 } })
        .expect(200);
      gates.open(gate);
      expect((await locked).status).toBe(200);
      const read = await request(server).post('/g/read').set('Cookie', jar.header).expect(200);
      expect(read.body.data).toEqual({ list: ['seed', 'locked'], other: 1 });
    });

    it('locked writes in a row still commit (the tracking of one lock does not leak into the next)', async () => {
      const server = app.getHttpServer();
      const jar = await seeded();
      await request(server)
        .post('/g/push')
        .set('Cookie', jar.header)
        .send({ item: 'a' })
        .expect(200);
      for (const item of ['b', 'c']) {
        await request(server)
          .post('/g/locked-push')
          .set('Cookie', jar.header)
          .send({ item })
          .expect(200);
      }
      expect(await list(jar)).toEqual(['seed', 'a', 'b', 'c']);
    });
  });
}

const memory = new MemorySessionStore();
afterAll(() => memory.close());
scenarios('memory', () => ({ store: memory }));
scenarios('redis', () => ({ redis: redis().url, prefix: 'locked:' }));
// A lock on its own client (as with independent masters): the commit cannot release it.
let quorumClient: Redis;
afterAll(() => quorumClient?.quit());
scenarios('redis, lock.quorum', () => {
  quorumClient = new Redis(redis().url);
  return { redis: redis().url, prefix: 'locked-q:', lock: { quorum: [quorumClient] } };
});
