import type { Pool } from 'pg';
import { SQL_SOURCES } from './migrations/sql-sources.js';

/** The schema version this code needs, and the SQL that brings a database to it. */
export const POSTGRES_SCHEMA_VERSION = 2;
const MIGRATIONS: readonly string[] = [
  SQL_SOURCES['001-sessions.sql'],
  SQL_SOURCES['002-remembered-deadline.sql'],
];

/** Key of the advisory lock that keeps instances starting together from migrating at once. */
const MIGRATION_LOCK = 'nestjs-distributed-session:migrate';

/**
 * Creates or updates the session tables and functions (idempotent), in one transaction under an
 * advisory lock. Call it from a deployment step, or let the store do it with `migrate: true`.
 * They land in the first schema of the pool's search_path.
 */
export async function migratePostgresSessionStore(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    for (const sql of MIGRATIONS) await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The schema version of the database the pool reaches (throws when the tables are missing). */
export async function postgresSchemaVersion(pool: Pool): Promise<number> {
  const result = await pool.query<{ version: number }>(
    'SELECT max(version) AS version FROM nds_schema_version',
  );
  return Number(result.rows[0]?.version ?? 0);
}
