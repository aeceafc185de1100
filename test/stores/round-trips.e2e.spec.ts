import { Body, Controller, Get, type INestApplication, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import { connect } from 'node:net';
import type pg from 'pg';
import request from 'supertest';
import { fromExpressSessionStore } from '../../src/index.js';
import { MemcachedSessionStore } from '../../src/session/stores/memcached/index.js';
import { PostgresSessionStore } from '../../src/session/stores/postgres/index.js';
import { useMemcached } from '../harness/memcached.js';
import { startTurnCountingProxy } from '../harness/turn-counting-proxy.js';
import { usePostgresDatabase } from '../harness/postgres.js';
import { CookieJar } from '../support/cookie-jar.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { createTestApp } from '../support/test-app.js';

/** Round trips per request, by store, for the README's table (default options, one instance). */
interface Costs {
  read: number;
  change: number;
  locked?: number;
  /** The next locked increment at once: Memcached finds the lease released a moment ago. */
  lockedAgain?: number;
  withLock?: number;
}

async function measure(app: INestApplication, count: () => Promise<number>, locks: boolean) {
  const server = app.getHttpServer();
  const jar = new CookieJar();
  jar.take(await request(server).put('/t/set').send({ a: 1 }).expect(200));
  const costs: Costs = { read: 0, change: 0 };
  let before = await count();
  await request(server).get('/t/read').set('cookie', jar.header).expect(200);
  costs.read = (await count()) - before;
  before = await count();
  await request(server).put('/t/set').set('cookie', jar.header).send({ b: 2 }).expect(200);
  costs.change = (await count()) - before;
  if (locks) {
    before = await count();
    await request(server).post('/t/locked-increment').set('cookie', jar.header).expect(200);
    costs.locked = (await count()) - before;
    before = await count();
    await request(server).post('/t/locked-increment').set('cookie', jar.header).expect(200);
    costs.lockedAgain = (await count()) - before;
    before = await count();
    await request(server).post('/t/with-lock-increment').set('cookie', jar.header).expect(200);
    costs.withLock = (await count()) - before;
  }
  return costs;
}

/** The test app's read and set routes only: no route that needs a lock or a version. */
@Controller('t')
class ReadWriteController {
  @Get('read')
  read(@Req() req: Request) {
    return { data: { ...req.session } };
  }

  @Put('set')
  set(@Req() req: Request, @Body() body: Record<string, unknown>) {
    Object.assign(req.session, body);
    return { ok: true };
  }
}

/** Counts the queries a pool sends (each one round trip); the pool itself stays real. */
function counted(pool: pg.Pool): () => Promise<number> {
  let sent = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    sent += 1;
    return query(...args);
  };
  return async () => sent;
}

/** Storage and retrieval commands a memcached server answered (from its `stats`). */
function memcachedCommands(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('connect', () => socket.write('stats\r\n'));
    socket.on('data', (data) => {
      text += data.toString();
      if (!text.includes('END\r\n')) return;
      socket.destroy();
      const stat = (name: string) => Number(new RegExp(`STAT ${name} (\\d+)`).exec(text)?.[1]);
      resolve(stat('cmd_get') + stat('cmd_set') + stat('delete_hits') + stat('delete_misses'));
    });
    socket.on('error', reject);
  });
}

describe('round trips per request, by store', () => {
  const database = usePostgresDatabase();
  const memcached = useMemcached(1);

  it('PostgreSQL: 1 to read, 2 to change a key, 2 for a locked increment (3 with withLock())', async () => {
    const pool = database().pool();
    const count = counted(pool);
    const store = new PostgresSessionStore({ pool, migrate: true, sweepIntervalMs: 0 });
    const app = await createTestApp({ store });
    try {
      // Locked: the lease and the load under it (fence raised) in one statement; the commit
      // that releases the lease. A @SessionLock() route opens its session under the lock.
      // withLock() in code: the request's load, then the lease and the reload in one statement.
      await expect(measure(app, count, true)).resolves.toEqual({
        read: 1,
        change: 2,
        locked: 2,
        lockedAgain: 2,
        withLock: 3,
      });
    } finally {
      await app.close();
      await store.close();
      await pool.end();
    }
  });

  it('Memcached: 1 to read, 2 to change a key (gets, then cas), 4 for a locked increment', async () => {
    const server = memcached()[0]!;
    const proxy = await startTurnCountingProxy('127.0.0.1', server.port);
    const store = new MemcachedSessionStore({ servers: proxy.address });
    const app = await createTestApp({ store });
    try {
      // Locked, 4 round trips of 7 commands: add + gets (the lease) + gets (the session), the
      // reads running after the grant on the same connection; cas (fence) + gets (the session);
      // cas (commit, against that read); cas (release, against the lease's CAS read at the add).
      // Within a second of a release the lease key still holds the released lease (`|0`):
      // the `add` is refused and the lease is taken over with `cas`, one round trip more.
      // withLock() in code: the request's own gets first, then as a locked increment.
      await expect(measure(app, async () => proxy.turns(), true)).resolves.toEqual({
        read: 1,
        change: 2,
        locked: 4,
        lockedAgain: 5,
        withLock: 6,
      });
      await expect(measure(app, () => memcachedCommands(server.port), true)).resolves.toEqual({
        read: 1,
        change: 2,
        locked: 7,
        lockedAgain: 9,
        withLock: 10,
      });
    } finally {
      await app.close();
      await store.close();
      await proxy.close();
    }
  });

  it('express-session store (connect-pg-simple): 1 to read, 3 to change a key', async () => {
    const pool = database().pool();
    const PgStore = connectPgSimple(session);
    const pgStore = new PgStore({ pool, createTableIfMissing: true, pruneSessionInterval: false });
    const count = counted(pool);
    // The test app's locked routes would be refused at boot: read and change routes only.
    const { app } = await bootSessionApp({
      options: { store: fromExpressSessionStore(pgStore) },
      controllers: [ReadWriteController],
    });
    try {
      // Change: the middleware's get, then the commit's get and set (whole blob).
      await expect(measure(app, count, false)).resolves.toEqual({ read: 1, change: 3 });
    } finally {
      await app.close();
      await pgStore.close();
      await pool.end();
    }
  });
});
