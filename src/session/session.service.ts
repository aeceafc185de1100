import { Injectable } from '@nestjs/common';
import { parseSessionToken, sessionKeyOf } from '../security/session-token.js';
import { type RegenerateOptions, Session, type TypedSession } from './session.js';
import { SessionContext } from './session-context.js';
import type { SessionPrincipal } from './session-data.js';
import type { SignInOptions } from './remember-me/remembered-deadline.js';
import { SessionEngine } from './engine/session-engine.js';
import { SessionStateError } from './session.errors.js';
import { type PrincipalSessionInfo, PrincipalSessions } from './management/principal-sessions.js';
import {
  type RetryOptions,
  SessionLocker,
  type SessionLockSettings,
} from './locking/session-locker.js';

/**
 * Sessions from code: the current request's session, sign-in and sign-out, regeneration, and
 * admin access by token.
 *
 * @example
 * constructor(private readonly sessions: SessionService) {}
 *
 * async login(user: User) {
 *   await this.sessions.signIn({ id: user.id, name: user.name });
 * }
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly engine: SessionEngine,
    private readonly context: SessionContext,
    private readonly locker: SessionLocker,
    private readonly principalSessions: PrincipalSessions,
  ) {}

  /**
   * The live sessions of a principal (default: the current request's), oldest first, each with
   * the `handle` that `revokeSession()` takes; `current` marks this request's session. Empty when
   * nobody is signed in.
   *
   * @example
   * @Get('sessions')
   * list() { return this.sessions.listSessions(); }
   */
  async listSessions(principalId?: string): Promise<PrincipalSessionInfo[]> {
    const session = this.context.current();
    const owner = principalId ?? session?.principal?.id;
    if (owner === undefined) return [];
    return this.principalSessions.list(owner, session?.id);
  }

  /**
   * Ends one session of a principal (default: the current one's) by its handle, on every server
   * at once. `false` when the handle is not one of the principal's sessions (answer 404).
   *
   * @example
   * @Delete('sessions/:handle')
   * async revoke(@Param('handle') handle: string) {
   *   if (!(await this.sessions.revokeSession(handle))) throw new NotFoundException();
   * }
   */
  async revokeSession(handle: string, principalId?: string): Promise<boolean> {
    const owner = principalId ?? this.context.current()?.principal?.id;
    if (owner === undefined) return false;
    return this.principalSessions.revoke(owner, handle);
  }

  /** "Sign out everywhere else": revokes every session of the current principal but this one. */
  async revokeOtherSessions(session: Session = this.current()): Promise<number> {
    const owner = session.principal?.id;
    if (owner === undefined) return 0;
    return this.principalSessions.revokeAll(owner, session.id);
  }

  /** Revokes every session of a principal (admin: a locked account); returns how many ended. */
  async revokeAllSessions(principalId: string): Promise<number> {
    return this.principalSessions.revokeAll(principalId);
  }

  /**
   * Runs `fn` under the session's lock (redlock, fenced): the session is reloaded under the lock
   * and committed before the lock is released, so concurrent requests on other servers cannot
   * interleave. Raises `SessionLockTimeoutError` when the lock cannot be had in time.
   *
   * @example
   * const value = await sessions.withLock(async (session) => {
   *   session.counter = (session.counter ?? 0) + 1;
   *   return session.counter;
   * });
   */
  async withLock<T>(
    fn: (session: TypedSession) => Promise<T> | T,
    settings: SessionLockSettings = {},
    session: Session = this.current(),
  ): Promise<T> {
    return this.locker.runLocked(session, async () => fn(session as TypedSession), settings);
  }

  /**
   * Runs `fn` in optimistic mode: if another request changed the session meanwhile, nothing is
   * written, the session is reloaded and `fn` runs again, up to `attempts` times; then
   * `SessionConflictError`. `fn` must be safe to run more than once.
   */
  async withRetry<T>(
    fn: (session: TypedSession) => Promise<T> | T,
    options: RetryOptions = {},
    session: Session = this.current(),
  ): Promise<T> {
    return this.locker.runOptimistic(session, async () => fn(session as TypedSession), options);
  }

  /** The session of the request being handled. Throws outside a request. */
  current(): TypedSession {
    const session = this.context.current();
    if (!session) throw SessionStateError.noActiveRequest('SessionService.current()');
    return session as TypedSession;
  }

  /**
   * Signs a principal in: sets it and regenerates the token (session fixation defence). Unlike
   * `req.session.regenerate()`, the data is kept: what the visitor did before signing in stays.
   * `{ rememberMe: true }` (with the `rememberMe` module option) gives the session the longer
   * absolute deadline and a persistent cookie; `{ absoluteTimeoutMs }` a lifetime of its own,
   * never beyond `rememberMe.absoluteTimeoutMs`.
   *
   * @example
   * await this.sessions.signIn(user, { rememberMe: body.rememberMe });
   */
  signIn(principal: SessionPrincipal, options?: SignInOptions): Promise<void>;
  signIn(principal: SessionPrincipal, session: Session, options?: SignInOptions): Promise<void>;
  async signIn(
    principal: SessionPrincipal,
    sessionOrOptions?: Session | SignInOptions,
    options: SignInOptions = {},
  ): Promise<void> {
    if (sessionOrOptions instanceof Session) {
      return this.engine.signIn(sessionOrOptions, principal, options);
    }
    await this.engine.signIn(this.current(), principal, sessionOrOptions ?? options);
  }

  /**
   * Signs the principal out and regenerates the token with empty data, as passport's
   * `req.logout()` does: the next user of the browser finds nothing this one left (a step-up
   * flag, a profile). `{ keepData: true }` keeps the data.
   */
  async signOut(session: Session = this.current(), options: RegenerateOptions = {}): Promise<void> {
    await this.engine.signOut(session, options);
  }

  /** Gives the session a new token; see {@link Session.regenerate}. */
  async regenerate(
    options: RegenerateOptions = {},
    session: Session = this.current(),
  ): Promise<void> {
    await session.regenerate(options);
  }

  /**
   * The CSRF token of the session, for `CsrfGuard` (send it back in the `x-csrf-token` header or
   * the `_csrf` form field). Derived from the session's token, so reading it costs no write; it
   * changes when the session is regenerated (sign-in, sign-out). A new session is saved so that
   * its token, and so the CSRF token, stays the same on the next request.
   *
   * @example
   * @Get('csrf')
   * csrf() { return { token: this.sessions.csrfToken() }; }
   */
  csrfToken(session: Session = this.current()): string {
    return this.engine.security.csrfTokenOf(session);
  }

  /** Ends the session in the store and clears its cookie. */
  async destroy(session: Session = this.current()): Promise<void> {
    await session.destroy();
  }

  /** Slides the idle deadline at this request's commit even if nothing changed. */
  touch(session: Session = this.current()): void {
    session.touch();
  }

  /** Saves the session now instead of before the response. */
  async save(session: Session = this.current()): Promise<void> {
    await session.save();
  }

  /**
   * Loads a session by its raw token (`tag.secret`, as a client presents it, without the
   * signature), for admin code; `undefined` when there is none. Changes need `save()`.
   */
  async loadByToken(token: string): Promise<TypedSession | undefined> {
    const parsed = parseSessionToken(token);
    if (!parsed) return undefined;
    return (await this.engine.loadToken(parsed)) as TypedSession | undefined;
  }

  /** Destroys a session by its raw token; `true` when it existed. */
  async destroyByToken(token: string): Promise<boolean> {
    const parsed = parseSessionToken(token);
    return parsed ? this.engine.store.destroy(sessionKeyOf(parsed)) : false;
  }
}
