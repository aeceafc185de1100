import { SessionStoreRefusedError } from '../../session.errors.js';
import { withTimeout } from '../with-timeout.js';

/** SQLSTATE classes of a server or connection that is away, not of a statement that is wrong. */
const OUTAGE_CLASSES = new Set(['08', '53', '57', '58']);
/** Undefined table, column or function: the migration was not applied. */
const MISSING_SCHEMA = new Set(['42P01', '42703', '42883']);

/** The PostgreSQL session tables or functions are missing or older than this version needs. */
export class SessionStoreSchemaError extends SessionStoreRefusedError {
  static missing(cause: Error): SessionStoreSchemaError {
    return new SessionStoreSchemaError(
      `The PostgreSQL session schema is missing (${cause.message}); nothing was written. ` +
        'Apply the migration once: `PostgresSessionStore` with `migrate: true`, ' +
        '`migratePostgresSessionStore(pool)`, or `psql "$DATABASE_URL" -f ' +
        'node_modules/nestjs-distributed-session/dist/session/stores/postgres/migrations/001-sessions.sql`.',
      { cause },
    );
  }
}

/**
 * Bounds a query by `timeoutMs`; a connection that failed or was killed, or no answer in time,
 * is a `SessionStoreUnavailableError` (503), a statement the server refused a
 * {@link SessionStoreRefusedError} (a missing schema a {@link SessionStoreSchemaError}).
 */
export async function runQuery<T>(
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await withTimeout(operation, timeoutMs, call);
  } catch (error) {
    const cause = (error as Error).cause;
    const code = sqlStateOf(cause);
    if (code === undefined || OUTAGE_CLASSES.has(code.slice(0, 2))) throw error;
    if (MISSING_SCHEMA.has(code)) throw SessionStoreSchemaError.missing(cause as Error);
    throw SessionStoreRefusedError.because(operation, cause as Error);
  }
}

/** The SQLSTATE of a server error; `undefined` for a socket error or a timeout. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
