import {
  formatSessionToken,
  parseSessionToken,
  type SessionToken,
} from '../../security/session-token.js';
import type { SessionMetadata } from '../stores/session-store.js';

/** What a cookie session carries: its token (its identity), metadata and data. */
export interface SealedSession {
  readonly token: SessionToken;
  readonly meta: SessionMetadata;
  /** JSON of each top-level data key, as the serializer wrote it. */
  readonly data: Readonly<Record<string, string>>;
}

/**
 * Short names of the metadata in the sealed JSON: every byte counts against the 4 KB cookie.
 * `fence` is left out: without a store there are no locks.
 */
const META_FIELDS = {
  createdAt: 'c',
  lastAccessAt: 'a',
  absoluteDeadline: 'x',
  version: 'n',
  principal: 'p',
  fingerprint: 'f',
  authenticatedAt: 'u',
  userAgent: 'g',
  clientIp: 'i',
  rotatedAt: 'r',
} as const satisfies Partial<Record<keyof SessionMetadata, string>>;

const REQUIRED_NUMBERS = ['createdAt', 'lastAccessAt', 'absoluteDeadline', 'version'] as const;

/**
 * The JSON sealed into the cookie. Data values are embedded as the JSON they already are, not
 * as strings, so they are not escaped a second time.
 */
export function encodeSealedSession(session: SealedSession): string {
  const head: Record<string, unknown> = { t: formatSessionToken(session.token) };
  for (const [name, short] of Object.entries(META_FIELDS)) {
    const value = session.meta[name as keyof typeof META_FIELDS];
    if (value !== undefined) head[short] = value;
  }
  const data = Object.entries(session.data)
    .map(([key, json]) => `${JSON.stringify(key)}:${json}`)
    .join(',');
  return `${JSON.stringify(head).slice(0, -1)},"d":{${data}}}`;
}

/**
 * The session in an opened seal; `undefined` when its shape is wrong (a seal from a future
 * format, or a bug), so the request gets a fresh session instead of an error.
 */
export function decodeSealedSession(json: string): SealedSession | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.t !== 'string' || !isRecord(parsed.d)) return undefined;
  const token = parseSessionToken(parsed.t);
  if (!token) return undefined;
  const meta: Record<string, unknown> = { fence: 0 };
  for (const [name, short] of Object.entries(META_FIELDS)) {
    if (parsed[short] !== undefined) meta[name] = parsed[short];
  }
  if (REQUIRED_NUMBERS.some((name) => typeof meta[name] !== 'number')) return undefined;
  const data: Record<string, string> = {};
  // Re-serialising parsed JSON that JSON.stringify wrote gives the same text, so the snapshot
  // matches what the serializer writes for unchanged values and nothing is sealed needlessly.
  for (const [key, value] of Object.entries(parsed.d)) data[key] = JSON.stringify(value);
  return { token, meta: meta as unknown as SessionMetadata, data };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
