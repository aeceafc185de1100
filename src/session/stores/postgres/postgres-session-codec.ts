import {
  type CommitResult,
  type LoadResult,
  METADATA_CHANGE_FIELDS,
  type SessionChange,
  type SessionMetadata,
  type SessionSummary,
  type StoredSession,
} from '../session-store.js';

/** A row of `nds_session` as `nds_load` and `describe` return it (int8 arrives as a string). */
export interface SessionRow {
  readonly data?: Record<string, string> | null;
  readonly meta: Record<string, string | number> | null;
  readonly version?: string | number | null;
  readonly fence?: string | number | null;
  readonly created_at: string | number | null;
  readonly last_access_at: string | number | null;
  readonly absolute_deadline: string | number | null;
}

/** The session held in a row. */
export function decodeSessionRow(row: SessionRow): StoredSession {
  const extra = row.meta ?? {};
  const meta: SessionMetadata = {
    version: Number(row.version ?? 0),
    createdAt: Number(row.created_at),
    lastAccessAt: Number(row.last_access_at),
    absoluteDeadline: Number(row.absolute_deadline),
    fence: Number(row.fence ?? 0),
    ...pick(extra, 'principal', String),
    ...pick(extra, 'fingerprint', String),
    ...pick(extra, 'authenticatedAt', Number),
    ...pick(extra, 'userAgent', String),
    ...pick(extra, 'clientIp', String),
    ...pick(extra, 'rotatedAt', Number),
  };
  // fromEntries: a data key named `__proto__` stays a key instead of a prototype.
  return { meta, data: Object.fromEntries(Object.entries(row.data ?? {})) };
}

/** What a session list shows of a row. */
export function decodeSummary(row: SessionRow): SessionSummary {
  const { meta } = decodeSessionRow(row);
  const { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp } = meta;
  return {
    createdAt,
    lastAccessAt,
    absoluteDeadline,
    ...(principal !== undefined && { principal }),
    ...(userAgent !== undefined && { userAgent }),
    ...(clientIp !== undefined && { clientIp }),
  };
}

/** The metadata fields a change sets (as a JSON object) and removes. */
export function encodeMetadataChange(change: SessionChange): { set: string; remove: string[] } {
  const set: Record<string, string | number> = {};
  const remove: string[] = [];
  const meta = change.meta ?? {};
  for (const name of METADATA_CHANGE_FIELDS) {
    const value = meta[name];
    if (value === null) remove.push(name);
    else if (value !== undefined) set[name] = value;
  }
  return { set: JSON.stringify(set), remove };
}

function pick<K extends string, V>(
  source: Record<string, string | number>,
  name: K,
  convert: (raw: string | number) => V,
): Partial<Record<K, V>> {
  const value = source[name];
  return value === undefined || value === null ? {} : ({ [name]: convert(value) } as Record<K, V>);
}

/** A row of `nds_load`. */
export type LoadRow = SessionRow & {
  status: 'found' | 'missing' | 'expired';
  aliased: boolean;
  slid: boolean;
};
/** A load's result from its `nds_load` row. */
export function loadResultOf(row: LoadRow): LoadResult {
  if (row.status !== 'found') return { status: row.status };
  return {
    status: 'found',
    slid: row.slid,
    session: decodeSessionRow(row),
    ...(row.aliased && { aliased: true }),
  };
}

/** A row of `nds_commit`. */
export interface CommitRow {
  status: 'committed' | 'gone' | 'exists' | 'conflict' | 'fenced';
  version: string | null;
  expires_at: string | null;
  aliased: boolean;
  stored: string | null;
}

/** The sweep: expired sessions (a batch, by the deadline index), pointers, leases, members. */
export const SWEEP_SQL =
  'WITH s AS (DELETE FROM nds_session WHERE id IN (SELECT id FROM nds_session ' +
  'WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2) RETURNING 1), ' +
  'a AS (DELETE FROM nds_session_alias WHERE expires_at <= $1 RETURNING 1), ' +
  'l AS (DELETE FROM nds_session_lock WHERE expires_at <= nds_clock_ms() RETURNING 1), ' +
  'i AS (DELETE FROM nds_principal_index WHERE deadline <= $1 RETURNING 1) ' +
  'SELECT (SELECT count(*) FROM s) AS sessions, (SELECT count(*) FROM a) AS aliases, ' +
  '(SELECT count(*) FROM l) AS locks, (SELECT count(*) FROM i) AS members';

/** The commit result a row of `nds_commit` stands for. */
export function commitResult(row: CommitRow): CommitResult {
  switch (row.status) {
    case 'committed':
      return {
        status: 'committed',
        version: Number(row.version),
        expiresAt: Number(row.expires_at),
        ...(row.aliased && { aliased: true }),
      };
    case 'conflict':
      return { status: 'conflict', storedVersion: Number(row.stored) };
    case 'fenced':
      return { status: 'fenced', storedFence: Number(row.stored) };
    default:
      return { status: row.status };
  }
}
