import type { Pool } from 'pg';

/** Options of `PostgresSessionStore`. */
export interface PostgresSessionStoreOptions {
  /** A `pg` pool; yours to share with TypeORM, Prisma or Drizzle, and yours to end. */
  readonly pool: Pool;
  /**
   * Create or update the tables and functions when the module starts (idempotent, under an
   * advisory lock). Off by default: production schemas change in a deployment step
   * (`migratePostgresSessionStore(pool)` or psql, see the README). @default false
   */
  readonly migrate?: boolean;
  /** Longest wait for one query before the request gets 503. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** How often expired rows are deleted (index on the deadline); 0 turns it off. @default 60000 */
  readonly sweepIntervalMs?: number;
  /** Most sessions one sweep deletes, so a sweep stays short. @default 1000 */
  readonly sweepBatchSize?: number;
}
