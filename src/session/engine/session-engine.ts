import { Inject, Injectable } from '@nestjs/common';
import { SessionSecurity } from '../security/session-security.js';
import { formatSessionToken, publicIdOf, type SessionToken } from '../../security/session-token.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import type { RegenerateOptions, Session } from '../session.js';
import { SessionCookie } from '../session-cookie.js';
import type { SessionPrincipal } from '../session-data.js';
import type { SignInOptions } from '../remember-me/remembered-deadline.js';
import { deserializeValue } from '../session-serializer.js';
import { SessionEvents } from '../session-events.js';
import { indexRefOf, PrincipalIndexSync } from '../management/principal-index-sync.js';
import { attachState, stateOf } from '../session-state.js';
import { type HeldSessionLock, type LockSettings, SessionStore } from '../stores/session-store.js';
import { createSessionBackend } from './create-session-backend.js';
import type { RegenerateOutcome, SessionBackend } from './session-backend.js';
import { freshState } from './session-factory.js';
import type { SessionHttpPort } from '../transport/http-port.js';
import { SessionOverSocketError } from '../sockets/sockets.errors.js';

/**
 * The orchestration of a request's session: a backend (a store, or the cookie itself) does the
 * mechanics of open, commit, regenerate, destroy and reload; the engine adds what every backend
 * shares: sign-in and sign-out, the principal, and their events.
 */
@Injectable()
export class SessionEngine {
  /** Fingerprint binding, rotation, unknown-token counting and CSRF tokens. */
  readonly security: SessionSecurity;
  private readonly backend: SessionBackend;

  constructor(
    @Inject(RESOLVED_SESSION_OPTIONS) readonly options: ResolvedSessionOptions,
    readonly store: SessionStore,
    readonly events: SessionEvents,
    private readonly index: PrincipalIndexSync,
  ) {
    this.security = new SessionSecurity(options, events, store);
    this.backend = createSessionBackend(options, {
      store,
      events,
      index,
      security: this.security,
      operations: {
        save: (session) => this.commit(session),
        reload: (session) => this.reload(session),
        regenerate: (session, regenerate) => this.regenerateForRequest(session, regenerate),
        destroy: (session) => this.backend.destroy(session),
        cookieOf: (session) => new SessionCookie(options.cookie, session.expiresAt),
        principalOf: (session) => this.principalOf(session),
      },
    });
  }

  /**
   * The session of a request: loaded when it presents a valid token (or sealed cookie),
   * otherwise a fresh, unsaved one. A forged or malformed cookie costs no store lookup. With
   * `lock` (a `@SessionLock()` route), a stored session is loaded under its lock.
   */
  open(port: SessionHttpPort, lock?: LockSettings): Promise<Session> {
    return this.backend.open(port, lock);
  }

  /** A session loaded by its raw token (`tag.secret`), for admin code; `undefined` if none. */
  loadToken(token: SessionToken, port?: SessionHttpPort): Promise<Session | undefined> {
    return this.backend.loadToken(token, port);
  }

  /** Writes what changed, in one round trip; sets the cookie when it must change. */
  commit(session: Session): Promise<void> {
    return this.backend.commit(session);
  }

  /**
   * As `commit`, with the fence of the lock held, but without releasing that lock: a nested
   * locked section commits, and the section around it still holds the lock.
   */
  async commitKeepingLock(session: Session): Promise<void> {
    const { guard } = stateOf(session);
    guard.keepLock = (guard.keepLock ?? 0) + 1;
    try {
      await this.backend.commit(session);
    } finally {
      guard.keepLock = (guard.keepLock ?? 1) - 1;
    }
  }

  /**
   * As `commit`, but `undefined` instead of a promise when there was nothing to write (the
   * common read-only request), so the response goes out without waiting a tick.
   */
  commitIfChanged(session: Session): Promise<void> | undefined {
    return this.backend.commitIfChanged
      ? this.backend.commitIfChanged(session)
      : this.backend.commit(session);
  }

  /**
   * Reads the session again; unsaved changes are dropped. Under a lock (`raiseFence`), the same
   * round trip raises the fence that this request's commit will carry.
   */
  reload(session: Session, raiseFence = false): Promise<void> {
    return this.backend.reload(session, raiseFence);
  }

  /**
   * Takes the session's lock and reloads the session under it, raising the fence: one round
   * trip where the store can. `undefined`, holding no lock, when the session is gone (it is then
   * destroyed, as after `reload`).
   */
  reloadLocked(session: Session, settings: LockSettings): Promise<HeldSessionLock | undefined> {
    return this.backend.reloadLocked(session, settings);
  }

  /**
   * Sets the principal and regenerates the token: the pre-sign-in token is dead afterwards. The
   * data is kept (a cart filled before signing in stays), unlike `req.session.regenerate()`. A
   * sign-in that loses to a concurrent move or revocation of the session throws
   * `SessionReplacedError` and leaves the cookie alone.
   */
  async signIn(
    session: Session,
    principal: SessionPrincipal,
    options: SignInOptions = {},
  ): Promise<void> {
    refuseNewTokenWithoutReply(session, 'signIn');
    await this.backend.signIn(session, principal, options);
    this.events.emit('signed-in', {
      sessionId: publicIdOf(stateOf(session).key),
      principalId: principal.id,
      at: new Date(),
    });
  }

  /**
   * Removes the principal and regenerates the token. The data goes too unless `keepData: true`,
   * as with passport's logout: nothing a user left (a step-up flag, a profile) reaches the next
   * one to sign in. When a concurrent move (a rotation without grace) took the session away
   * first, the session is destroyed, tag and all, so no token of it stays signed in.
   */
  async signOut(session: Session, options: RegenerateOptions = {}): Promise<void> {
    refuseNewTokenWithoutReply(session, 'signOut');
    const state = stateOf(session);
    const principalId = this.principalOf(session)?.id;
    state.metaChange.principal = null;
    state.metaChange.authenticatedAt = null;
    await this.regenerateOrRevoke(session, options);
    this.events.emit('signed-out', {
      sessionId: publicIdOf(state.key),
      principalId,
      at: new Date(),
    });
  }

  principalOf(session: Session): SessionPrincipal | undefined {
    const state = stateOf(session);
    const json =
      state.metaChange.principal !== undefined ? state.metaChange.principal : state.meta?.principal;
    return json ? (deserializeValue(json) as SessionPrincipal) : undefined;
  }

  /** The raw token of a session (for the cookie or a response header); never log it. */
  tokenOf(session: Session): string {
    return formatSessionToken(stateOf(session).token);
  }

  /**
   * `req.session.regenerate()`: as in express-session, the request always goes on with a new
   * session. When the stored session vanished meanwhile (destroyed, revoked, or moved away by a
   * concurrent rotation without grace), its tag is revoked, so that no token of it stays usable
   * (a passport logout racing a rotation), and the request goes on with a fresh, empty session.
   */
  private async regenerateForRequest(session: Session, options: RegenerateOptions): Promise<void> {
    if ((await this.regenerateOrRevoke(session, options)) !== 'gone') return;
    for (const key of Object.keys(session)) delete session[key];
    attachState(session, freshState(stateOf(session).port));
  }

  /**
   * As in express-session: a new token and empty data, unless the caller keeps the data. When
   * the stored session vanished meanwhile, its tag is revoked (a lost regeneration leaves key and
   * metadata as they were) and its index entry goes, so no token of it stays usable.
   */
  private async regenerateOrRevoke(
    session: Session,
    options: RegenerateOptions,
  ): Promise<RegenerateOutcome> {
    refuseNewTokenWithoutReply(session, 'regenerate');
    const state = stateOf(session);
    const before = indexRefOf(state);
    const outcome = await this.backend.regenerate(session, {
      ...options,
      keepData: options.keepData ?? false,
    });
    if (outcome === 'gone') {
      await this.store.destroy(state.key, { until: state.meta?.absoluteDeadline });
      await this.index.sync(before, undefined);
    }
    return outcome;
  }
}

/** A session opened over a WebSocket cannot take a new token: the client would never get it. */
function refuseNewTokenWithoutReply(session: Session, operation: string): void {
  if (stateOf(session).port?.readOnly) throw SessionOverSocketError.cannotRegenerate(operation);
}
