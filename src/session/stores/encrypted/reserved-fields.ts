import { SessionDecryptionError } from '../../../security/security.errors.js';
import type { SessionKey } from '../../../security/session-token.js';
import type { SessionMetadata } from '../session-store.js';
import { type GenerationSealer, generationOf } from './generation-sealer.js';

/**
 * Data fields the encrypted store keeps beside the user's keys (NUL first: no application key
 * looks like them). `RECORD`: the fixed metadata (absolute deadline, creation time, bound to a
 * fingerprint or not); `AUTH`: the signed-in time; `LINK + generation`: the generation a
 * rotation replaced, so values sealed before it still open; `CLEARED`: the copies were dropped
 * by a `clearData` commit without `reseal` (direct store use only).
 */
export const RESERVED = '\u0000nds:';
export const RECORD = `${RESERVED}s`;
export const AUTH = `${RESERVED}t`;
export const LINK = `${RESERVED}l:`;
export const CLEARED = `${RESERVED}c`;
/** Bound on the rotation links followed per load; far above the rotations of one session. */
const MAX_GENERATIONS = 10_000;

/** What the fixed-metadata record holds. */
export interface SessionRecord {
  readonly x: number;
  readonly c: number;
  /** 1 when the session was bound to a fingerprint when the record was written. */
  readonly f: 0 | 1;
}

/** The user's data fields and the reserved ones, apart. */
export function splitReserved(data: Readonly<Record<string, string>>) {
  const user: [string, string][] = [];
  const reserved = new Map<string, string>();
  for (const [name, value] of Object.entries(data)) {
    if (name.startsWith(RESERVED)) reserved.set(name, value);
    else user.push([name, value]);
  }
  return { user: Object.fromEntries(user) as Record<string, string>, reserved };
}

/**
 * The generations whose values belong to the session: this key's, and the ones rotations
 * replaced, link by link. Reached through a rotation's grace pointer (`aliased`), the session
 * lives under a newer key this request does not know: the generations are those of every link
 * chain that leads back to this key's.
 */
export function generationsOf(
  sealer: GenerationSealer,
  key: SessionKey,
  reserved: ReadonlyMap<string, string>,
  aliased: boolean,
): ReadonlySet<string> {
  const chainFrom = (head: string): Set<string> => {
    const chain = new Set<string>();
    let generation: string | undefined = head;
    while (generation !== undefined && !chain.has(generation) && chain.size < MAX_GENERATIONS) {
      chain.add(generation);
      const link = reserved.get(LINK + generation);
      generation =
        link === undefined ? undefined : sealer.open(link, key, 'link', new Set([generation]));
    }
    return chain;
  };
  const own = generationOf(key);
  if (!aliased) return chainFrom(own);
  const accepted = new Set([own]);
  for (const name of reserved.keys()) {
    if (!name.startsWith(LINK)) continue;
    const chain = chainFrom(name.slice(LINK.length));
    if (chain.has(own)) for (const generation of chain) accepted.add(generation);
  }
  return accepted;
}

/** The metadata security decisions read must match its sealed copies. */
export function verifyMetadata(
  sealer: GenerationSealer,
  key: SessionKey,
  meta: SessionMetadata,
  reserved: ReadonlyMap<string, string>,
  accepted: ReadonlySet<string>,
): void {
  const sealedRecord = reserved.get(RECORD);
  const cleared = reserved.get(CLEARED);
  if (sealedRecord === undefined) {
    // Only a `clearData` commit without `reseal` (direct store use) leaves no record.
    if (cleared !== undefined && sealer.open(cleared, key, 'cleared', accepted) === '1') return;
    throw SessionDecryptionError.metadataMismatch('record');
  }
  const record = JSON.parse(sealer.open(sealedRecord, key, 'record', accepted)) as SessionRecord;
  if (record.x !== meta.absoluteDeadline) {
    throw SessionDecryptionError.metadataMismatch('absoluteDeadline');
  }
  if (record.c !== meta.createdAt) throw SessionDecryptionError.metadataMismatch('createdAt');
  if (record.f === 1 && meta.fingerprint === undefined) {
    throw SessionDecryptionError.metadataMismatch('fingerprint');
  }
  const auth = reserved.get(AUTH);
  const signedInAt =
    auth === undefined ? undefined : Number(sealer.open(auth, key, 'auth', accepted));
  if (signedInAt !== meta.authenticatedAt) {
    throw SessionDecryptionError.metadataMismatch('authenticatedAt');
  }
}
