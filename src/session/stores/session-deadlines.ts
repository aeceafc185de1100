import type { SessionMetadata } from './session-store.js';

/** The two deadlines a session has: its idle one slides with use, its absolute one never moves. */
type Deadlines = Pick<SessionMetadata, 'lastAccessAt' | 'absoluteDeadline'>;

/** When the session ends if unused: `min(lastAccess + idle, absolute)`. */
export function expiresAtOf(meta: Deadlines, idleTimeoutMs: number): number {
  return Math.min(meta.lastAccessAt + idleTimeoutMs, meta.absoluteDeadline);
}

export function isPastDeadline(meta: Deadlines, now: number, idleTimeoutMs: number): boolean {
  return now >= expiresAtOf(meta, idleTimeoutMs);
}
