import request from 'supertest';
import { PostgresSessionStore } from '../../src/session/stores/postgres/index.js';
import { startPostgresDatabase, usePostgresDatabase } from '../harness/postgres.js';
import { waitFor } from '../harness/poll.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';
import { type PostgresInstance, startPostgresInstance } from './postgres-apps.js';

describe('PostgreSQL store: expiry, killed connections, schema', () => {
  const database = usePostgresDatabase();
  let instance: PostgresInstance;

  beforeAll(async () => {
    instance = await startPostgresInstance(database(), { idleTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await instance.close();
  });

  const server = () => instance.app.getHttpServer();

  async function newSession(): Promise<{ jar: CookieJar; id: string }> {
    const jar = new CookieJar();
    jar.take(await request(server()).put('/t/set').send({ secret: 'kept' }).expect(200));
    const rows = await database().admin<{ id: string }>(
      "SELECT id FROM nds_session WHERE data ? 'secret' ORDER BY created_at DESC LIMIT 1",
    );
    return { jar, id: rows.rows[0]!.id };
  }

  it('never returns a session past its idle deadline, though its row is still there', async () => {
    const { jar, id } = await newSession();
    // The row as it is after two idle seconds; no sweep ran.
    await database().admin(
      'UPDATE nds_session SET last_access_at = last_access_at - 2000 WHERE id = $1',
      [id],
    );
    const read = await request(server()).get('/t/read').set('cookie', jar.header).expect(200);
    expect(read.body.isNew).toBe(true);
    expect(read.body.data).toEqual({});
    const left = await database().admin('SELECT 1 FROM nds_session WHERE id = $1', [id]);
    expect(left.rowCount).toBe(0);
  });

  it('never returns a session past its absolute deadline', async () => {
    const { jar, id } = await newSession();
    await database().admin(
      'UPDATE nds_session SET absolute_deadline = $2, expires_at = $2 WHERE id = $1',
      [id, Date.now() - 1],
    );
    const read = await request(server()).get('/t/read').set('cookie', jar.header).expect(200);
    expect(read.body).toMatchObject({ isNew: true, data: {} });
  });

  it('the sweep deletes expired rows through the deadline index and leaves live ones', async () => {
    const expired = await newSession();
    const live = await newSession();
    await database().admin('UPDATE nds_session SET expires_at = $2 WHERE id = $1', [
      expired.id,
      Date.now() - 1,
    ]);
    await expect(instance.store.sweep()).resolves.toBeGreaterThanOrEqual(1);
    const rows = await database().admin<{ id: string }>(
      'SELECT id FROM nds_session WHERE id = ANY($1)',
      [[expired.id, live.id]],
    );
    expect(rows.rows.map((row) => row.id)).toEqual([live.id]);
    // The index the sweep relies on (a tiny test table is scanned anyway, so rule that out).
    const client = await database().pool({ max: 1 }).connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        'EXPLAIN SELECT id FROM nds_session WHERE expires_at <= 0 ORDER BY expires_at LIMIT 1000',
      );
      expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
        'nds_session_expires_at',
      );
    } finally {
      client.release();
    }
  });

  it('a connection killed mid-load answers 503, and the next request is served again', async () => {
    const { jar } = await newSession();
    // Hold every load at the table lock, so the kill lands while the load is in flight.
    const blocker = await database().pool({ max: 1 }).connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE nds_session IN ACCESS EXCLUSIVE MODE');
    const pending = request(server())
      .get('/t/read')
      .set('cookie', jar.header)
      .then((response) => response);
    const waiting = await waitFor(
      'a load waiting on the table lock',
      async () => {
        const rows = await database().admin<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'nds-under-test' " +
            "AND wait_event_type = 'Lock' AND query LIKE '%nds_load%'",
        );
        if (!rows.rows[0]) throw new Error('no load waits yet');
        return rows.rows[0].pid;
      },
      { timeoutMs: 5000, intervalMs: 10 },
    );
    await database().admin('SELECT pg_terminate_backend($1)', [waiting]);
    await blocker.query('ROLLBACK');
    blocker.release();
    const killed = await pending;
    expect(killed.status).toBe(503);
    expect(killed.body.error).toBe('SessionStoreUnavailableError');

    const recovered = await request(server()).get('/t/read').set('cookie', jar.header);
    expect(recovered.status).toBe(200);
    expect(recovered.body.data).toEqual({ secret: 'kept' });
  });

  it('refuses to boot on a database without the schema, naming the migration', async () => {
    const empty = await startPostgresDatabase();
    const pool = empty.pool();
    try {
      await expect(
        createTestApp({ store: new PostgresSessionStore({ pool, sweepIntervalMs: 0 }) }),
      ).rejects.toThrow(/PostgreSQL session schema is missing.*migrate: true/s);
      const tables = await empty.admin("SELECT 1 FROM pg_tables WHERE tablename = 'nds_session'");
      expect(tables.rowCount).toBe(0);
    } finally {
      await empty.stop();
    }
  });
});
