import type { INestApplication } from '@nestjs/common';
import type pg from 'pg';
import type { SessionModuleOptions } from '../../src/index.js';
import { PostgresSessionStore } from '../../src/session/stores/postgres/index.js';
import type { PostgresDatabase } from '../harness/postgres.js';
import { createTestApp } from '../support/test-app.js';

/** One app instance on its own pool and store, as on its own server; counts its queries. */
export interface PostgresInstance {
  readonly app: INestApplication;
  readonly store: PostgresSessionStore;
  readonly pool: pg.Pool;
  /** Queries this instance's pool sent (each one round trip). */
  queries(): number;
  close(): Promise<void>;
}

/** Boots an app on `database` with default options apart from `options`. */
export async function startPostgresInstance(
  database: PostgresDatabase,
  options: Partial<SessionModuleOptions> = {},
): Promise<PostgresInstance> {
  const pool = database.pool({ max: 10, application_name: 'nds-under-test' });
  let sent = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  // Counts, and passes through untouched: the pool and the database stay real.
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    sent += 1;
    return query(...args);
  };
  const store = new PostgresSessionStore({ pool, migrate: true });
  const app = await createTestApp({ store, ...options });
  return {
    app,
    store,
    pool,
    queries: () => sent,
    async close() {
      await app.close();
      await store.close();
      if (!pool.ended) await pool.end();
    },
  };
}
