import { keyOfPublicId, publicIdOf } from '../../../security/session-token.js';
import type {
  CommitResult,
  IndexChange,
  IndexedSession,
  IndexResult,
  LoadOptions,
  LoadResult,
  SessionChange,
} from '../session-store.js';
import { decodeSessionHash, encodeChange } from './redis-hash-layout.js';
import type { CommitReply, LoadReply } from './redis-scripts.js';

/* The arguments of the load, commit and index scripts, and what their replies mean. */

/** ARGV[1..4] of load.lua (ARGV[5], the tombstone check, is the caller's). */
export function loadArgsOf(options: LoadOptions): string[] {
  return [
    String(options.now),
    String(options.idleTimeoutMs),
    String(options.slideAfterMs),
    options.raiseFence ? '1' : '0',
  ];
}

export function loadResultOf(reply: LoadReply): LoadResult {
  if (reply[0] !== 'found') return { status: reply[0] };
  return {
    status: 'found',
    slid: reply[1] === '1',
    session: decodeSessionHash(reply[2]),
    ...(reply[3] === '1' && { aliased: true }),
  };
}

/** ARGV of commit.lua (its keys are the session, the target and the lock). */
export function commitArgsOf(change: SessionChange): (string | number)[] {
  const fields = encodeChange(change);
  const releasing = change.releaseLock?.releasableByCommit ? change.releaseLock.value : '';
  return [
    change.now,
    change.idleTimeoutMs,
    change.create ? change.create.absoluteDeadline : '',
    change.expectedVersion ?? '',
    change.fence ?? '',
    change.clearData ? '1' : '0',
    releasing,
    change.rotation ? change.rotation.graceMs : '',
    fields.set.length / 2,
    fields.delete.length,
    ...fields.set,
    ...fields.delete,
    change.maxBytes ?? '',
    change.absoluteDeadline ?? '',
  ];
}

export function commitResultOf(result: CommitReply, replicas: number | undefined): CommitResult {
  switch (result[0]) {
    case 'committed':
      return {
        status: 'committed',
        version: result[1],
        expiresAt: result[2],
        replicas,
        ...(result[3] === 1 && { aliased: true }),
      };
    case 'conflict':
      return { status: 'conflict', storedVersion: result[1] };
    case 'fenced':
      return { status: 'fenced', storedFence: result[1] };
    case 'toolarge':
      return { status: 'too-large', bytes: result[1] };
    default:
      return { status: result[0] };
  }
}

/** ARGV of principal-index.lua (its key is the principal's index). */
export function indexArgsOf(change: IndexChange): (string | number)[] {
  const remove = (change.remove ?? []).map(publicIdOf);
  const add = change.add ? [publicIdOf(change.add.key), change.add.deadline] : ['', ''];
  const cap = change.cap
    ? [change.cap.limit, change.cap.onLimit === 'refuse' ? 'refuse' : 'evict']
    : ['', ''];
  const list = change.list === false ? '0' : '1';
  return [change.now, remove.length, ...remove, ...add, ...cap, list];
}

/** `[removed, refused, count, E, E evicted handle/deadline pairs, member pairs...]` decoded. */
export function indexResultOf(
  reply: readonly (string | number)[],
  change: IndexChange,
): IndexResult {
  const evictedCount = Number(reply[3]);
  const evicted = indexedSessionsOf(reply.slice(4, 4 + 2 * evictedCount));
  const sessions = indexedSessionsOf(reply.slice(4 + 2 * evictedCount));
  const detailed = change.cap !== undefined || change.list === false;
  return {
    removed: Number(reply[0]),
    sessions,
    ...(detailed && { count: Number(reply[2]), refused: reply[1] === 1, evicted }),
  };
}

/** `[handle, deadline, handle, deadline, ...]` of an index reply as index members. */
function indexedSessionsOf(pairs: readonly (string | number)[]): IndexedSession[] {
  const sessions: IndexedSession[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const key = keyOfPublicId(String(pairs[i]));
    if (key) sessions.push({ key, deadline: Number(pairs[i + 1]) });
  }
  return sessions;
}
