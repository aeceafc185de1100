import type { SessionSecurity } from '../security/session-security.js';
import type { SessionEvents } from '../session-events.js';
import type { SessionDenyList } from '../stateless/session-deny-list.js';
import type { HeldSessionLock, LockSettings, SessionStore } from '../stores/session-store.js';
import type { SessionFactory } from './session-factory.js';
import type { SessionResponder } from './session-responder.js';
import type { SessionToken } from '../../security/session-token.js';
import type { SessionHttpPort } from '../transport/http-port.js';
import type { SessionPrincipal } from '../session-data.js';
import type { SignInOptions } from '../remember-me/remembered-deadline.js';
import type { RegenerateOptions, Session } from '../session.js';

/** How a regeneration ended: moved to the new token, or the session was gone meanwhile. */
export type RegenerateOutcome = 'moved' | 'gone';

/**
 * Where sessions live: a store (Redis, memory, ...) or the cookie itself. The engine orchestrates
 * (serialised commits, sign-in and sign-out, events); a backend does the mechanics.
 */
export interface SessionBackend {
  /**
   * The request's session, or a fresh one; a forged or malformed token costs no store lookup.
   * With `lock`, a stored session is loaded under its lock (see `CommitGuard.lockedAtOpen`);
   * a backend without locks ignores it.
   */
  open(port: SessionHttpPort, lock?: LockSettings): Promise<Session>;
  /** A session by its raw token, for admin code; `undefined` if none. */
  loadToken(token: SessionToken, port?: SessionHttpPort): Promise<Session | undefined>;
  /** Writes what changed and sends the cookie when it must change. */
  commit(session: Session): Promise<void>;
  /** As `commit`; `undefined` when it settled at once, having nothing to write. */
  commitIfChanged?(session: Session): Promise<void> | undefined;
  /** New token; the data goes unless `keepData`. */
  regenerate(session: Session, options: RegenerateOptions): Promise<RegenerateOutcome>;
  /** Sets the principal under a new token; `SessionReplacedError` if the session was lost. */
  signIn(session: Session, principal: SessionPrincipal, options?: SignInOptions): Promise<void>;
  /** Ends the session for good, and clears the cookie. */
  destroy(session: Session): Promise<void>;
  /** Drops unsaved changes; `raiseFence` (locked mode) raises the fence in the same read. */
  reload(session: Session, raiseFence: boolean): Promise<void>;
  /**
   * Takes the session's lock and reloads the session under it with the fence raised, in one
   * round trip where the store can (`SessionStore.loadLocked`); unsaved changes are dropped.
   * `undefined`, holding no lock, when the session is gone: it is then destroyed, as after
   * `reload`. Cookie sessions refuse it (no store to lock in).
   */
  reloadLocked(session: Session, settings: LockSettings): Promise<HeldSessionLock | undefined>;
}

/** What cookie sessions work with; shared with the engine. */
export interface StatelessParts {
  readonly store: SessionStore;
  readonly security: SessionSecurity;
  readonly events: SessionEvents;
  readonly denyList?: SessionDenyList;
  readonly sessions: SessionFactory;
  readonly responder: SessionResponder;
}
