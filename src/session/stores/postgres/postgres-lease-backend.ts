import type { Pool } from 'pg';
import type { LeaseBackend } from '../lease-lock/lease-locks.js';

/**
 * Takes lease $1 for value $2 for $3 ms when it is free or expired: the CTE `taken` holds the
 * value when it was granted, nothing otherwise. Every statement that takes a lease starts so.
 */
export const TAKE_LEASE =
  'WITH taken AS (INSERT INTO nds_session_lock AS l (id, value, expires_at) ' +
  'VALUES ($1, $2, nds_clock_ms() + $3) ON CONFLICT (id) DO UPDATE ' +
  'SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at ' +
  'WHERE l.expires_at <= nds_clock_ms() RETURNING l.value)';

/**
 * Session lock leases as rows of `nds_session_lock`, timed by the database clock so that app
 * servers with skewed clocks agree: taken by an upsert that only overwrites an expired lease.
 */
export class PostgresLeaseBackend implements LeaseBackend {
  constructor(
    private readonly pool: Pool,
    private readonly run: <T>(operation: string, call: () => Promise<T>) => Promise<T>,
  ) {}

  async tryAcquire(
    id: string,
    value: string,
    durationMs: number,
  ): Promise<{ granted: boolean; holder?: string }> {
    const result = await this.run('lock-attempt', () =>
      this.pool.query<{ granted: string | null; holder: string | null }>({
        name: 'nds_lock_acquire',
        text:
          `${TAKE_LEASE} SELECT (SELECT value FROM taken) AS granted, ` +
          '(SELECT value FROM nds_session_lock WHERE id = $1) AS holder',
        values: [id, value, durationMs],
      }),
    );
    const row = result.rows[0];
    return { granted: row?.granted === value, holder: row?.holder ?? undefined };
  }

  async extend(id: string, value: string, durationMs: number): Promise<boolean> {
    const result = await this.run('lock-extend', () =>
      this.pool.query({
        name: 'nds_lock_extend',
        text:
          'UPDATE nds_session_lock SET expires_at = nds_clock_ms() + $3 ' +
          'WHERE id = $1 AND value = $2 AND expires_at > nds_clock_ms()',
        values: [id, value, durationMs],
      }),
    );
    return result.rowCount === 1;
  }

  async release(id: string, value: string): Promise<void> {
    await this.run('unlock', () =>
      this.pool.query({
        name: 'nds_lock_release',
        text: 'DELETE FROM nds_session_lock WHERE id = $1 AND value = $2',
        values: [id, value],
      }),
    );
  }
}
