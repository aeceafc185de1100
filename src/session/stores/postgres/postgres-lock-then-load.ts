import type { Pool } from 'pg';
import type { LeaseAttempt } from '../lease-lock/lease-locks.js';
import { TAKE_LEASE } from './postgres-lease-backend.js';
import type { LoadOptions } from '../session-store.js';
import type { LoadRow } from './postgres-session-codec.js';

/**
 * One statement for a locked request's first round trip: the lease upsert (`TAKE_LEASE`), and
 * only when it was granted, `nds_load` raising the fence. A refused attempt answers the lease's
 * holder and reads nothing: the lateral load runs once per granted row, and there is none. Plain SQL over the shipped schema, so no migration is needed.
 * $1 id, $2 lease value, $3 duration ms, $4 now, $5 idle timeout, $6 slide after.
 */
const LOCK_THEN_LOAD_SQL = `${TAKE_LEASE}
SELECT t.value AS granted, NULL::text AS holder, s.*
FROM taken t, LATERAL nds_load($1, $4::bigint, $5::bigint, $6::bigint, true) s
UNION ALL
SELECT NULL::text, (SELECT value FROM nds_session_lock WHERE id = $1), NULL::text, NULL::boolean,
  NULL::boolean, NULL::jsonb, NULL::jsonb, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint,
  NULL::bigint
WHERE NOT EXISTS (SELECT 1 FROM taken)`;

type LockThenLoadRow = LoadRow & { granted: string | null; holder: string | null };

/** An attempt of `LeaseLocks.acquireWith`: granted with the loaded row, or the lease's holder. */
export function lockThenLoadAttempt(
  pool: Pool,
  run: <T>(operation: string, call: () => Promise<T>) => Promise<T>,
  id: string,
  durationMs: number,
  options: LoadOptions,
): (value: string) => Promise<LeaseAttempt<LoadRow>> {
  return async (value) => {
    const { rows } = await run('lock-attempt', () =>
      pool.query<LockThenLoadRow>({
        name: 'nds_lock_then_load',
        text: LOCK_THEN_LOAD_SQL,
        values: [id, value, durationMs, options.now, options.idleTimeoutMs, options.slideAfterMs],
      }),
    );
    const row = rows[0]!;
    if (row.granted !== value) return { granted: false, holder: row.holder ?? undefined };
    return { granted: true, payload: row };
  };
}
