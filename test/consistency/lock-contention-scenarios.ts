import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

/**
 * The lock under contention with the options a user gets: no `lock` option at all. Requests of
 * one session rotate over the app instances, which share one store.
 */
export function describeLockContention(
  topology: string,
  storeOptions: () => Partial<SessionModuleOptions>,
  { instances = 3 }: { instances?: number } = {},
): void {
  describe(`@SessionLock() under contention, default lock options (${topology})`, () => {
    let apps: INestApplication[] = [];
    const server = (i: number) => apps[i % apps.length]!.getHttpServer();

    beforeAll(async () => {
      const options = storeOptions();
      expect(options.lock).toBeUndefined();
      apps = await Promise.all(Array.from({ length: instances }, () => createTestApp(options)));
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });

    it(`300 concurrent locked increments over ${instances} instance(s) all succeed and leave 300`, async () => {
      const jar = new CookieJar();
      jar.take(await request(server(0)).put('/t/set').send({ started: true }).expect(200));
      const responses = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          request(server(i)).post('/t/locked-increment').set('cookie', jar.header).send({}),
        ),
      );
      const refused = responses.filter((r) => r.status !== 200).map((r) => r.status);
      expect({ refused: refused.length, statuses: [...new Set(refused)] }).toEqual({
        refused: 0,
        statuses: [],
      });
      const values = responses.map((r) => r.body.value as number).sort((a, b) => a - b);
      expect(values).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      const read = await request(server(1)).get('/t/read').set('cookie', jar.header).expect(200);
      expect(read.body.data.counter).toBe(300);
    });
  });
}
