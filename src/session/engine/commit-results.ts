import { publicIdOf } from '../../security/session-token.js';
import {
  SessionConflictError,
  SessionFencedError,
  SessionTooLargeError,
} from '../session.errors.js';
import type { SessionEvents } from '../session-events.js';
import type { SessionState } from '../session-state.js';
import type { CommitResult, SessionMetadata } from '../stores/session-store.js';
import { withMetaChange } from './session-meta.js';

type Committed = Extract<CommitResult, { status: 'committed' }>;

/** The in-memory view after a committed write: the store now holds `current` and the metadata. */
export function applyCommitted(
  state: SessionState,
  result: Committed,
  current: Map<string, string>,
  now: number,
  base: SessionMetadata | Omit<SessionMetadata, 'version' | 'lastAccessAt'>,
): void {
  state.snapshot = current;
  state.meta = {
    ...withMetaChange(base, state.metaChange),
    version: result.version,
    lastAccessAt: now,
  };
  state.metaChange = {};
  state.expiresAt = result.expiresAt;
}

/**
 * The error of a refused write (a concurrent version, a stale fence, too large); a conflict or a
 * stale fence voids the request's changes and is reported as a 'conflict' event.
 */
export function refusalOf(
  state: SessionState,
  result: Exclude<CommitResult, Committed | { status: 'gone' }>,
  maxSessionBytes: number,
  events: SessionEvents,
): Error {
  if (result.status === 'too-large') return SessionTooLargeError.of(result.bytes, maxSessionBytes);
  state.refused = true;
  const kind = result.status === 'conflict' ? 'version' : 'fence';
  events.emit('conflict', { sessionId: publicIdOf(state.key), kind, at: new Date() });
  return result.status === 'conflict'
    ? SessionConflictError.versionMoved(state.meta?.version ?? 0, result.storedVersion)
    : SessionFencedError.staleFence(state.guard.fence ?? 0);
}
