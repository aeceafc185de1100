import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { MemcachedSessionStore } from '../../src/session/stores/memcached/index.js';
import { useMemcached } from '../harness/memcached.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';

/**
 * The Memcached store behind three app instances (each with its own store and connections, as on
 * its own server), two memcached servers, default module options.
 */
describe('Memcached store across three instances', () => {
  const servers = useMemcached(2);
  let stores: MemcachedSessionStore[] = [];
  let apps: INestApplication[] = [];
  const server = (i: number) => apps[i % apps.length]!.getHttpServer();

  beforeAll(async () => {
    const addresses = servers().map((s) => s.address);
    stores = [0, 1, 2].map(() => new MemcachedSessionStore({ servers: addresses }));
    apps = await Promise.all(stores.map((store) => createTestApp({ store })));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(stores.map((store) => store.close()));
  });

  async function newSession(): Promise<{ jar: CookieJar; tag: string }> {
    const jar = new CookieJar();
    jar.take(await request(server(0)).put('/t/set').send({ started: true }).expect(200));
    const read = await request(server(0)).get('/t/read').set('cookie', jar.header).expect(200);
    return { jar, tag: String(read.body.id).split('.')[0]! };
  }

  it('100 concurrent optimistic increments with retry end at exactly 100', async () => {
    const { jar } = await newSession();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        request(server(i)).post('/t/optimistic-increment').set('cookie', jar.header).send({}),
      ),
    );
    expect(responses.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    const read = await request(server(1)).get('/t/read').set('cookie', jar.header).expect(200);
    expect(read.body.data.counter).toBe(100);
  });

  it('100 concurrent @SessionLock() increments end at 100 (default lock options)', async () => {
    const { jar } = await newSession();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        request(server(i)).post('/t/locked-increment').set('cookie', jar.header).send({}),
      ),
    );
    expect(responses.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    const values = responses.map((r) => r.body.value as number).sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('100 concurrent writes of different keys all survive (per-key merge by CAS retry)', async () => {
    const { jar } = await newSession();
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        request(server(i))
          .put('/t/set')
          .set('cookie', jar.header)
          .send({ [`k${i}`]: i })
          .expect(200),
      ),
    );
    const read = await request(server(2)).get('/t/read').set('cookie', jar.header);
    for (let i = 0; i < 100; i++) expect(read.body.data[`k${i}`]).toBe(i);
  });

  it('spreads sessions over both servers, each session on one', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 64 && seen.size < 2; i += 1) {
      seen.add(stores[0]!.serverFor((await newSession()).tag));
    }
    expect([...seen].sort()).toEqual(
      servers()
        .map((s) => s.address)
        .sort(),
    );
    // Every instance maps a session to the same server.
    const { tag } = await newSession();
    expect(new Set(stores.map((store) => store.serverFor(tag))).size).toBe(1);
  });

  it('a server killed mid-run answers 503 for its sessions only, and serves again after restart', async () => {
    const [first, second] = servers();
    // A session on each server.
    const on = new Map<string, CookieJar>();
    for (let i = 0; i < 64 && on.size < 2; i += 1) {
      const { jar, tag } = await newSession();
      const address = stores[0]!.serverFor(tag);
      if (!on.has(address)) on.set(address, jar);
    }
    const doomed = on.get(first!.address)!;
    const spared = on.get(second!.address)!;

    const traffic = Array.from({ length: 30 }, (_, i) =>
      request(server(i))
        .put('/t/set')
        .set('cookie', doomed.header)
        .send({ [`w${i}`]: i })
        .then((response) => response.status),
    );
    await first!.kill();
    const statuses = await Promise.all(traffic);
    // Every request either landed before the kill or was refused: never a 500, never a hang.
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    const during = await request(server(1)).get('/t/read').set('cookie', doomed.header);
    expect(during.status).toBe(503);
    expect(during.body.error).toBe('SessionStoreUnavailableError');
    const unaffected = await request(server(2)).get('/t/read').set('cookie', spared.header);
    expect(unaffected.status).toBe(200);
    expect(unaffected.body.data.started).toBe(true);

    await first!.restart();
    // The restarted server is empty: the session is gone, and a new one is served.
    const after = await request(server(1)).get('/t/read').set('cookie', doomed.header);
    expect(after.status).toBe(200);
    expect(after.body.isNew).toBe(true);
    const fresh = new CookieJar();
    fresh.take(await request(server(0)).put('/t/set').send({ again: 1 }).expect(200));
    expect((await request(server(2)).get('/t/read').set('cookie', fresh.header)).body.data).toEqual(
      { again: 1 },
    );
  });
});
