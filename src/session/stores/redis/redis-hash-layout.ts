import {
  METADATA_CHANGE_FIELDS,
  type MetadataChange,
  type SessionChange,
  type SessionMetadata,
  type SessionSummary,
  type StoredSession,
} from '../session-store.js';

/**
 * How a session maps onto one Redis hash: one-letter metadata fields beside one field per
 * top-level data key, prefixed with '.' so no data key can collide with metadata. A hash holding
 * only the field '>' is a rotation's grace pointer: its value is the Redis key (same `{tag}`,
 * same slot) the session moved to; the scripts follow it, and it expires after the grace.
 */
const META_FIELDS = {
  version: 'v',
  createdAt: 'c',
  lastAccessAt: 'a',
  absoluteDeadline: 'x',
  fence: 'n',
  principal: 'p',
  fingerprint: 'f',
  authenticatedAt: 't',
  userAgent: 'u',
  clientIp: 'i',
  rotatedAt: 'r',
} as const;
const DATA_PREFIX = '.';

/** The session held in a flat HGETALL reply. */
export function decodeSessionHash(fields: readonly string[]): StoredSession {
  const raw: Record<string, string> = {};
  // Entries, then fromEntries: a data key named `__proto__` stays a key instead of a prototype.
  const entries: [string, string][] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    if (name.startsWith(DATA_PREFIX)) entries.push([name.slice(DATA_PREFIX.length), value]);
    else raw[name] = value;
  }
  const data: Record<string, string> = Object.fromEntries(entries);
  const meta: SessionMetadata = {
    version: Number(raw[META_FIELDS.version] ?? 0),
    createdAt: Number(raw[META_FIELDS.createdAt] ?? 0),
    lastAccessAt: Number(raw[META_FIELDS.lastAccessAt] ?? 0),
    absoluteDeadline: Number(raw[META_FIELDS.absoluteDeadline] ?? 0),
    fence: Number(raw[META_FIELDS.fence] ?? 0),
    ...optional('principal', raw[META_FIELDS.principal], String),
    ...optional('fingerprint', raw[META_FIELDS.fingerprint], String),
    ...optional('authenticatedAt', raw[META_FIELDS.authenticatedAt], Number),
    ...optional('userAgent', raw[META_FIELDS.userAgent], String),
    ...optional('clientIp', raw[META_FIELDS.clientIp], String),
    ...optional('rotatedAt', raw[META_FIELDS.rotatedAt], Number),
  };
  return { meta, data };
}

/** The fields to set and delete for a change set, metadata included. */
export function encodeChange(change: SessionChange): { set: string[]; delete: string[] } {
  const set: string[] = [];
  const remove: string[] = [];
  for (const [key, json] of Object.entries(change.set)) set.push(DATA_PREFIX + key, json);
  for (const key of change.delete) remove.push(DATA_PREFIX + key);
  const meta: MetadataChange = change.meta ?? {};
  for (const name of METADATA_CHANGE_FIELDS) {
    const value = meta[name];
    if (value === null) remove.push(META_FIELDS[name]);
    else if (value !== undefined) set.push(META_FIELDS[name], String(value));
  }
  return { set, delete: remove };
}

/** The hash fields `describe` reads, in the order of {@link decodeSummary}. */
export const SUMMARY_FIELDS = [
  META_FIELDS.createdAt,
  META_FIELDS.lastAccessAt,
  META_FIELDS.absoluteDeadline,
  META_FIELDS.principal,
  META_FIELDS.userAgent,
  META_FIELDS.clientIp,
] as const;

/** A session summary from an HMGET of {@link SUMMARY_FIELDS}; `undefined` when the hash is gone. */
export function decodeSummary(values: readonly (string | null)[]): SessionSummary | undefined {
  const [created, lastAccess, absolute, principal, userAgent, clientIp] = values;
  if (!created || !lastAccess || !absolute) return undefined;
  return {
    createdAt: Number(created),
    lastAccessAt: Number(lastAccess),
    absoluteDeadline: Number(absolute),
    ...optional('principal', principal ?? undefined, String),
    ...optional('userAgent', userAgent ?? undefined, String),
    ...optional('clientIp', clientIp ?? undefined, String),
  };
}

function optional<K extends string, V>(
  name: K,
  value: string | undefined,
  convert: (raw: string) => V,
): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [name]: convert(value) } as Record<K, V>);
}
