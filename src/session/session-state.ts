import type { SessionHttpPort } from './transport/http-port.js';
import type { SessionKey, SessionToken } from '../security/session-token.js';
import type { HeldSessionLock, MetadataChange, SessionMetadata } from './stores/session-store.js';

/** How a commit of this request is checked against concurrent writers. */
export interface CommitGuard {
  /** Optimistic mode: commit only if the stored version is still the loaded one. */
  optimistic?: boolean;
  /** Locked mode: the fence of the lock this request holds. */
  fence?: number;
  /** Locked mode: the lock, released by the next commit when the store can. */
  lock?: HeldSessionLock;
  /**
   * The lock was taken as the request opened the session (a `@SessionLock()` route): the route's
   * locked section uses it as it is, and the end of the request releases it if none did.
   */
  lockedAtOpen?: boolean;
  /** Commits of nested locked sections running: they write with the fence and keep the lock. */
  keepLock?: number;
}

/** The engine's private view of one request's session; never exported from the package. */
export interface SessionState {
  token: SessionToken;
  key: SessionKey;
  /** The session exists in the store (it was loaded, or committed by this request). */
  stored: boolean;
  meta?: SessionMetadata;
  /** JSON of each data key as the store holds it: the base of change tracking. */
  snapshot: Map<string, string>;
  metaChange: { -readonly [K in keyof MetadataChange]: MetadataChange[K] };
  destroyed: boolean;
  /**
   * A commit was refused (conflict, fence): the request's changes are void, and no later commit
   * of this request (such as the one before the error response) may write them. A reload clears it.
   */
  refused: boolean;
  /** Slide the idle deadline at the next commit even without changes. */
  touched: boolean;
  /** The cookie must be (re)sent: new token, slid deadline, or signed with an old secret. */
  cookieDue: boolean;
  expiresAt?: number;
  guard: CommitGuard;
  /** The request and response, to read and set the cookie; absent for sessions loaded by admin code. */
  port?: SessionHttpPort;
  /** The token is older than `rotation.intervalMs`: the next commit replaces it. */
  rotationDue?: boolean;
  /**
   * Loaded or committed through a rotation's grace pointer: the token of this request was just
   * replaced, and the client has (or is getting) the new one; it is never sent again.
   */
  aliased?: boolean;
  /**
   * `signIn` already entered this session's key in its principal's index (before the session
   * was signed in): the commit that follows adds nothing there.
   */
  indexAdmitted?: boolean;
  /** When a new session is created (`signIn` indexed its absolute deadline from it). */
  createAt?: number;
  /** A remembered sign-in's absolute deadline, written by its move or the create that follows. */
  rememberedDeadline?: number;
  /** The commit in flight, so that two commits of one request never overlap. */
  committing?: Promise<void>;
}

/** The state of a session as it starts a request: nothing changed, nothing refused yet. */
export function initialState(
  start: Pick<SessionState, 'token' | 'key' | 'stored' | 'cookieDue' | 'port' | 'aliased'>,
): SessionState {
  // Named fields rather than a spread of `start`: no spread per request, one object shape.
  return {
    token: start.token,
    key: start.key,
    stored: start.stored,
    cookieDue: start.cookieDue,
    port: start.port,
    aliased: start.aliased,
    snapshot: new Map(),
    metaChange: {},
    destroyed: false,
    refused: false,
    touched: false,
    guard: {},
  };
}

const states = new WeakMap<object, SessionState>();

export function attachState(session: object, state: SessionState): void {
  states.set(session, state);
}

export function stateOf(session: object): SessionState {
  const state = states.get(session);
  if (!state) throw new TypeError('not a session created by SessionModule');
  return state;
}

/**
 * When the session's principal last signed in (epoch ms), including a sign-in (or sign-out)
 * earlier in this request; `undefined` when it is not signed in.
 */
export function signedInAtOf(session: object): number | undefined {
  const state = stateOf(session);
  const changed = state.metaChange.authenticatedAt;
  if (changed !== undefined) return changed ?? undefined;
  return state.meta?.authenticatedAt;
}

/** Runs `run` after any commit of the same request in flight: the second sees what the first wrote. */
export async function commitInTurn(state: SessionState, run: () => Promise<void>): Promise<void> {
  while (state.committing) await state.committing;
  const running = run();
  state.committing = running.finally(() => (state.committing = undefined));
  return state.committing;
}

/**
 * Releases the lock taken as the request opened the session, if no locked section took it over
 * (and released it) since; never rejects.
 */
export async function releaseLockTakenAtOpen(state: SessionState): Promise<void> {
  const { guard } = state;
  if (!guard.lockedAtOpen) return;
  const lock = guard.lock;
  guard.lockedAtOpen = false;
  guard.lock = undefined;
  guard.fence = undefined;
  await lock?.release();
}
