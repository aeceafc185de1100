import { isPastDeadline } from '../session-deadlines.js';
import type { Pool } from 'pg';
import type { SessionKey } from '../../../security/session-token.js';
import { LeaseLocks } from '../lease-lock/lease-locks.js';
import { publicIdOf, keyOfPublicId } from '../../../security/session-token.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type IndexChange,
  type IndexedSession,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockedLoad,
  type LockSettings,
  type SessionChange,
  SessionStore,
  type SessionStoreProbe,
  type SessionSummary,
} from '../session-store.js';
import { SessionStoreUnavailableError } from '../../session.errors.js';
import { runQuery, SessionStoreSchemaError } from './postgres-errors.js';
import { PostgresLeaseBackend } from './postgres-lease-backend.js';
import { lockThenLoadAttempt } from './postgres-lock-then-load.js';
import {
  migratePostgresSessionStore,
  POSTGRES_SCHEMA_VERSION,
  postgresSchemaVersion,
} from './postgres-migrations.js';
import {
  type CommitRow,
  commitResult,
  decodeSummary,
  encodeMetadataChange,
  type LoadRow,
  loadResultOf,
  type SessionRow,
  SWEEP_SQL,
} from './postgres-session-codec.js';
import type { PostgresSessionStoreOptions } from './postgres-session-store-options.js';

export type { PostgresSessionStoreOptions };

/**
 * Sessions in PostgreSQL: one row per session keyed by the hashed token, data as `jsonb`. Load,
 * commit, destroy and index updates are one round trip each (a PL/pgSQL function of the shipped
 * migration); a commit merges per key (`jsonb ||` and `-`) in one UPDATE that checks deadlines,
 * version and fence on the row as it is. Locks are leases in a table, fenced like Redis locks.
 */
export class PostgresSessionStore extends SessionStore {
  readonly pool: Pool;
  private readonly migrate: boolean;
  private readonly timeoutMs: number;
  private readonly sweepBatchSize: number;
  private readonly locks: LeaseLocks;
  private readonly sweeper?: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly onPoolError = (error: Error) => this.observer.error('connection', error);
  private migrated?: Promise<void>;

  constructor(options: PostgresSessionStoreOptions) {
    super();
    this.pool = options.pool;
    this.migrate = options.migrate ?? false;
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
    this.sweepBatchSize = options.sweepBatchSize ?? 1000;
    this.locks = new LeaseLocks(
      new PostgresLeaseBackend(this.pool, (operation, call) => this.run(operation, call)),
      true,
    );
    // Without a listener, an idle client killed by the server would crash the process.
    this.pool.on('error', this.onPoolError);
    const interval = options.sweepIntervalMs ?? 60_000;
    if (interval > 0) {
      this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), interval);
      this.sweeper.unref();
    }
  }

  override get storeName(): string {
    return 'PostgresSessionStore';
  }

  /** The lease and the load under it in one statement (`postgres-lock-then-load.ts`). */
  override async loadLocked(
    key: SessionKey,
    settings: LockSettings,
    options: LoadOptions,
  ): Promise<LockedLoad> {
    const id = idOf(key);
    const run = <T>(operation: string, call: () => Promise<T>) => this.run(operation, call);
    const attempt = lockThenLoadAttempt(this.pool, run, id, settings.durationMs, options);
    const { lock, payload } = await this.waitingForLock(() =>
      this.locks.acquireWith(id, settings, attempt),
    );
    return this.keptIfFound(loadResultOf(payload!), lock);
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const { rows } = await this.run('load', () =>
      this.pool.query<LoadRow>({
        name: 'nds_load',
        text: 'SELECT * FROM nds_load($1, $2, $3, $4, $5)',
        values: [
          idOf(key),
          options.now,
          options.idleTimeoutMs,
          options.slideAfterMs,
          options.raiseFence === true,
        ],
      }),
    );
    return loadResultOf(rows[0]!);
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const meta = encodeMetadataChange(change);
    const releasing = change.releaseLock?.releasableByCommit ? change.releaseLock.value : null;
    try {
      const { rows } = await this.track(
        this.run('commit', () =>
          this.pool.query<CommitRow>({
            ...commitStatementOf(change),
            values: [
              idOf(key),
              change.moveTo ? idOf(change.moveTo) : null,
              change.now,
              change.idleTimeoutMs,
              change.create?.absoluteDeadline ?? null,
              change.expectedVersion ?? null,
              change.fence ?? null,
              change.clearData === true,
              releasing,
              change.rotation ? change.rotation.graceMs : null,
              JSON.stringify(change.set),
              change.delete,
              meta.set,
              meta.remove,
              ...(change.absoluteDeadline === undefined ? [] : [change.absoluteDeadline]),
            ],
          }),
        ),
      );
      return commitResult(rows[0]!);
    } finally {
      if (releasing) this.locks.settled(releasing);
    }
  }

  async destroy(key: SessionKey): Promise<boolean> {
    const { rows } = await this.track(
      this.run('destroy', () =>
        this.pool.query<{ destroyed: boolean }>({
          name: 'nds_destroy',
          text: 'SELECT nds_destroy($1, $2) AS destroyed',
          values: [idOf(key), Date.now()],
        }),
      ),
    );
    return rows[0]?.destroyed === true;
  }

  acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.waitingForLock(() => this.locks.acquire(idOf(key), settings));
  }

  async updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    const { rows } = await this.track(
      this.run('index', () =>
        this.pool.query<{ removed: number; handles: string[]; deadlines: string[] }>({
          name: 'nds_index',
          text: 'SELECT * FROM nds_index($1, $2, $3, $4, $5)',
          values: [
            principalId,
            change.now,
            (change.remove ?? []).map(publicIdOf),
            change.add ? publicIdOf(change.add.key) : null,
            change.add?.deadline ?? null,
          ],
        }),
      ),
    );
    const row = rows[0]!;
    const sessions: IndexedSession[] = [];
    row.handles.forEach((handle, i) => {
      const key = keyOfPublicId(handle);
      if (key) sessions.push({ key, deadline: Number(row.deadlines[i]) });
    });
    return { removed: Number(row.removed), sessions };
  }

  async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.run('describe', () =>
      this.pool.query<SessionRow & { id: string }>({
        name: 'nds_describe',
        text:
          'SELECT id, meta, created_at, last_access_at, absolute_deadline FROM nds_session ' +
          'WHERE id = ANY($1::text[])',
        values: [keys.map(idOf)],
      }),
    );
    const byId = new Map(rows.map((row) => [row.id, decodeSummary(row)]));
    return keys.map((key) => {
      const summary = byId.get(idOf(key));
      if (!summary) return undefined;
      return isPastDeadline(summary, options.now, options.idleTimeoutMs) ? undefined : summary;
    });
  }

  /**
   * Deletes rows past their deadline (sessions: at most `sweepBatchSize`, by the deadline index);
   * returns how many sessions went. Reads filter expired sessions anyway: this reclaims space.
   */
  async sweep(now = Date.now()): Promise<number> {
    const { rows } = await this.run('sweep', () =>
      this.pool.query<{ sessions: string }>({
        name: 'nds_sweep',
        text: SWEEP_SQL,
        values: [now, this.sweepBatchSize],
      }),
    );
    return Number(rows[0]?.sessions ?? 0);
  }

  override async probe(): Promise<SessionStoreProbe> {
    const started = performance.now();
    await this.run('ping', () => this.pool.query('SELECT 1'));
    return { topology: 'postgres', latencyMs: performance.now() - started, masters: 1 };
  }

  /**
   * Applies the migration when `migrate` is on, else checks that it was applied: a missing
   * schema stops the boot with a message that says how to apply it. `false` when the database
   * cannot be reached in time.
   */
  override async ready(timeoutMs: number): Promise<boolean> {
    let version: number;
    try {
      version = await runQuery('ready', timeoutMs, async () => {
        if (this.migrate) await (this.migrated ??= migratePostgresSessionStore(this.pool));
        return postgresSchemaVersion(this.pool);
      });
    } catch (error) {
      this.migrated = undefined;
      if (error instanceof SessionStoreUnavailableError) return false;
      throw error;
    }
    if (version < POSTGRES_SCHEMA_VERSION) {
      throw SessionStoreSchemaError.missing(
        new Error(`schema version ${version}, this release needs ${POSTGRES_SCHEMA_VERSION}`),
      );
    }
    return true;
  }

  /** Stops the sweeper and lets writes in flight finish; the pool stays open (it is yours). */
  override async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.allSettled([...this.inFlight]);
    this.pool.off('error', this.onPoolError);
  }

  /** Bounds a call by the command timeout and reports it to the observers. */
  private run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return this.observed(operation, () => runQuery(operation, this.timeoutMs, call));
  }

  private track<T>(write: Promise<T>): Promise<T> {
    this.inFlight.add(write);
    void write.catch(() => undefined).finally(() => this.inFlight.delete(write));
    return write;
  }
}

function idOf(key: SessionKey): string {
  return `${key.tag}:${key.secretHash}`;
}

/** A commit that gives the session a new absolute deadline runs the wrapper of migration 002. */
function commitStatementOf(change: SessionChange): { name: string; text: string } {
  const params = '$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14';
  if (change.absoluteDeadline === undefined) {
    return { name: 'nds_commit', text: `SELECT * FROM nds_commit(${params})` };
  }
  return {
    name: 'nds_commit_with_deadline',
    text: `SELECT * FROM nds_commit_with_deadline(${params}, $15)`,
  };
}
