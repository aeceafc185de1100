import { RESERVED_SESSION_KEYS, type Session } from './session.js';
import { deserializeValue, isSafeKey } from './session-serializer.js';
import { stateOf } from './session-state.js';

/**
 * Puts stored data onto a session as its properties and records each key's JSON as the base of
 * change tracking. Names that reach a prototype or belong to the session API are skipped.
 */
export function assignStoredData(session: Session, data: Readonly<Record<string, string>>): void {
  const state = stateOf(session);
  for (const [key, json] of Object.entries(data)) {
    if (!isSafeKey(key) || RESERVED_SESSION_KEYS.has(key)) continue;
    session[key] = deserializeValue(json);
    state.snapshot.set(key, json);
  }
}
