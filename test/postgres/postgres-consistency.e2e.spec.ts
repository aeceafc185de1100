import request from 'supertest';
import { CookieJar } from '../support/cookie-jar.js';
import { usePostgresDatabase } from '../harness/postgres.js';
import { type PostgresInstance, startPostgresInstance } from './postgres-apps.js';

/**
 * The no-lost-update guarantees on PostgreSQL, with the module's default lock options: three app
 * instances, each on its own pool, share one database; requests of one session rotate over them.
 */
describe('PostgreSQL store across three instances (default options)', () => {
  const database = usePostgresDatabase();
  let instances: PostgresInstance[] = [];
  const server = (i: number) => instances[i % instances.length]!.app.getHttpServer();

  beforeAll(async () => {
    instances = [];
    // One after the other: the first applies the migration, the others find it applied.
    for (let i = 0; i < 3; i += 1) instances.push(await startPostgresInstance(database()));
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
  });

  async function newSession(): Promise<CookieJar> {
    const jar = new CookieJar();
    jar.take(await request(server(0)).put('/t/set').send({ started: true }).expect(200));
    return jar;
  }

  it('300 concurrent @SessionLock() increments over three instances end at 300', async () => {
    const jar = await newSession();
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        request(server(i)).post('/t/locked-increment').set('cookie', jar.header).send({}),
      ),
    );
    expect(responses.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    const values = responses.map((r) => r.body.value as number).sort((a, b) => a - b);
    expect(values).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const read = await request(server(1)).get('/t/read').set('cookie', jar.header).expect(200);
    expect(read.body.data.counter).toBe(300);
  });

  it('100 concurrent writes of different keys all survive', async () => {
    const jar = await newSession();
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

  it('destroy wins over 50 in-flight writes', async () => {
    const jar = await newSession();
    const writes = Array.from({ length: 50 }, (_, i) =>
      request(server(i))
        .put('/t/set?delay=100')
        .set('cookie', jar.header)
        .send({ [`w${i}`]: i })
        .then((response) => response),
    );
    // The writes have loaded the session before the destroy: wait until every one is in flight.
    await waitForLoads(instances, 50);
    await request(server(1)).post('/t/destroy').set('cookie', jar.header).expect(204);
    await Promise.all(writes);
    const read = await request(server(2)).get('/t/read').set('cookie', jar.header);
    expect(read.body.isNew).toBe(true);
    expect(read.body.data).toEqual({});
    const rows = await database().admin(
      'SELECT count(*)::int AS n FROM nds_session WHERE data ? $1',
      ['w0'],
    );
    expect(rows.rows[0]!.n).toBe(0);
  });

  it('a read-only request costs one round trip, a change two', async () => {
    const jar = await newSession();
    const instance = instances[0]!;
    const before = instance.queries();
    await request(instance.app.getHttpServer())
      .get('/t/read')
      .set('cookie', jar.header)
      .expect(200);
    expect(instance.queries() - before).toBe(1);
    const between = instance.queries();
    await request(instance.app.getHttpServer())
      .put('/t/set')
      .set('cookie', jar.header)
      .send({ x: 1 })
      .expect(200);
    expect(instance.queries() - between).toBe(2);
  });

  /** Resolves once the instances' stores finished `count` more loads than when called. */
  async function waitForLoads(all: PostgresInstance[], count: number): Promise<void> {
    let loads = 0;
    const stops = all.map((instance) =>
      instance.store.observe({
        operation: (operation) => {
          if (operation === 'load') loads += 1;
        },
      }),
    );
    try {
      while (loads < count) await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      stops.forEach((stop) => stop());
    }
  }
});
