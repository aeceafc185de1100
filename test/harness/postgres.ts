import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the tests use: `TEST_POSTGRES_URL`, else the CI machine's server on
 * loopback with trust authentication. Each test file creates its own database and drops it.
 */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test file, created by {@link startPostgresDatabase}. */
export interface PostgresDatabase {
  readonly name: string;
  /** `postgres://…/<name>` */
  readonly url: string;
  /** A new pool on the database (closed by `stop()` unless ended before). */
  pool(options?: pg.PoolConfig): pg.Pool;
  /** Runs SQL as the administrator, on the database (e.g. pg_terminate_backend). */
  admin<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
  /** Ends the pools, terminates every other connection and drops the database. */
  stop(): Promise<void>;
}

/** Creates a database with a unique name on the test server. */
export async function startPostgresDatabase(): Promise<PostgresDatabase> {
  const name = `nds_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const server = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await server.connect();
  try {
    await server.query(`CREATE DATABASE ${name}`);
  } finally {
    await server.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const pools = new Set<pg.Pool>();
  const adminPool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  adminPool.on('error', () => undefined);
  return {
    name,
    url: url.toString(),
    pool(options = {}) {
      const pool = new pg.Pool({ connectionString: url.toString(), ...options });
      pools.add(pool);
      return pool;
    },
    admin: (sql, values) => adminPool.query(sql, values),
    async stop() {
      await Promise.allSettled([...pools].map((pool) => (pool.ended ? undefined : pool.end())));
      await adminPool.end().catch(() => undefined);
      const dropper = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * Creates a database for this test file (or `describe` block) in `beforeAll` and drops it in
 * `afterAll`; returns a getter for it.
 */
export function usePostgresDatabase(): () => PostgresDatabase {
  let database: PostgresDatabase | undefined;
  let pending: Promise<PostgresDatabase> | undefined;
  beforeAll(async () => {
    pending = startPostgresDatabase();
    database = await pending;
  }, 30_000);
  afterAll(async () => {
    const started = database ?? (await pending?.catch(() => undefined));
    database = undefined;
    await started?.stop();
  }, 30_000);
  return () => {
    if (!database) throw new Error('The test database exists only after beforeAll');
    return database;
  };
}
