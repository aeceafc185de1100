import {
  createSessionToken,
  type SessionKey,
  type SessionToken,
  sessionKeyOf,
} from '../../security/session-token.js';
import { assignStoredData } from '../assign-stored-data.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { Session, type SessionOperations } from '../session.js';
import { SessionTooLargeError } from '../session.errors.js';
import { isSafeKey, serializeValue } from '../session-serializer.js';
import { attachState, initialState, type SessionState, stateOf } from '../session-state.js';
import { expiresAtOf } from '../stores/session-deadlines.js';
import type { SessionMetadata } from '../stores/session-store.js';
import type { SessionHttpPort } from '../transport/http-port.js';

/** Builds sessions and finds what changed in them: the same for every backend. */
export class SessionFactory {
  constructor(
    private readonly options: ResolvedSessionOptions,
    private readonly operations: SessionOperations,
  ) {}

  create(state: SessionState): Session {
    const session = new Session(this.operations);
    attachState(session, state);
    return session;
  }

  /** A new, unsaved session; it reaches the store only if something is put in it. */
  fresh(port?: SessionHttpPort): Session {
    return this.create(freshState(port));
  }

  /** Puts loaded data and metadata into a session. */
  apply(session: Session, data: Readonly<Record<string, string>>, meta: SessionMetadata): void {
    const state = stateOf(session);
    assignStoredData(session, data);
    state.meta = meta;
    state.expiresAt = expiresAtOf(meta, this.options.idleTimeoutMs);
  }

  /**
   * Changed and removed keys against the snapshot; checks serialisability and the size limit on
   * this request's own view. Only growth past the limit is refused, so a session already over it
   * (a lowered limit) can still shrink, sign out and regenerate; the store checks the size again
   * on what it holds, which concurrent requests cannot outrun.
   */
  diff(session: Session, state: SessionState) {
    const current = new Map<string, string>();
    const set = new Map<string, string>();
    let bytes = 0;
    for (const key of Object.keys(session)) {
      const value = session[key];
      if (value === undefined || !isSafeKey(key)) continue;
      const json = serializeValue(key, value);
      current.set(key, json);
      bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
      if (state.snapshot.get(key) !== json) set.set(key, json);
    }
    if (bytes > this.options.maxSessionBytes && bytes > bytesOf(state.snapshot)) {
      throw SessionTooLargeError.of(bytes, this.options.maxSessionBytes);
    }
    const remove = [...state.snapshot.keys()].filter((key) => !current.has(key));
    return { set, remove, current };
  }
}

/**
 * The state of a new, unsaved session under a new token. The token (random bytes) and its key
 * (a hash) are made on first use: most requests without a cookie never save their session.
 */
export function freshState(port: SessionHttpPort | undefined): SessionState {
  let token: SessionToken | undefined;
  let key: SessionKey | undefined;
  const state = initialState({
    token: NO_TOKEN,
    key: NO_KEY,
    stored: false,
    cookieDue: true,
    port,
  });
  return Object.defineProperties(state, {
    token: {
      get: () => (token ??= createSessionToken()),
      set: (value: SessionToken) => void (token = value),
      enumerable: true,
    },
    key: {
      get: () => (key ??= sessionKeyOf(state.token)),
      set: (value: SessionKey) => void (key = value),
      enumerable: true,
    },
  });
}

/** Placeholders that the accessors of a fresh state replace before anything can read them. */
const NO_TOKEN: SessionToken = { tag: '', secret: '' };
const NO_KEY: SessionKey = { tag: '', secretHash: '' };

/** Data bytes of a snapshot, counted as the stores count them (key name and JSON value). */
function bytesOf(snapshot: ReadonlyMap<string, string>): number {
  let bytes = 0;
  for (const [key, json] of snapshot) bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
  return bytes;
}
