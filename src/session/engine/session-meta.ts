import type { SessionChange, SessionMetadata } from '../stores/session-store.js';
import type { SessionState } from '../session-state.js';

/** The metadata after a change, to keep the in-memory view in step with the store; `null` removes a field. */
export function withMetaChange<T extends object>(
  previous: T,
  change: SessionState['metaChange'],
): T {
  const result = { ...previous } as Record<string, unknown>;
  for (const [name, value] of Object.entries(change)) {
    if (value === null) delete result[name];
    else if (value !== undefined) result[name] = value;
  }
  return result as T;
}

/** The metadata a regeneration with encryption writes again, as it stands before the change. */
export function sealedMetaOf(meta: SessionMetadata): SessionChange['meta'] {
  const { principal, fingerprint, authenticatedAt, userAgent, clientIp } = meta;
  return { principal, fingerprint, authenticatedAt, userAgent, clientIp };
}

/** The metadata an encrypting store authenticates; a remembered sign-in gives a new deadline. */
export function pickFixedMeta(
  { createdAt, absoluteDeadline }: SessionMetadata,
  newDeadline?: number,
) {
  return { createdAt, absoluteDeadline: newDeadline ?? absoluteDeadline };
}
