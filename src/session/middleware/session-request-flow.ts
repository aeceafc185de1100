import { Injectable } from '@nestjs/common';
import { SessionEngine } from '../engine/session-engine.js';
import { SessionJwtIssuer } from '../jwt/session-jwt-issuer.js';
import { SessionContext } from '../session-context.js';
import type { Session } from '../session.js';
import type { SessionHttpPort } from '../transport/http-port.js';
import type { SessionLockSettings } from '../locking/session-locker.js';
import { releaseLockTakenAtOpen, stateOf } from '../session-state.js';

/**
 * What every platform does around a request, whatever hooks it offers: open the session before
 * the handler, run the rest of the request in its context, commit before the response is sent.
 */
@Injectable()
export class SessionRequestFlow {
  constructor(
    private readonly engine: SessionEngine,
    private readonly context: SessionContext,
    private readonly jwt: SessionJwtIssuer,
  ) {}

  /**
   * The request's session (one store round trip when it presents a valid token). Throws a
   * session error (store down, too many unknown tokens, a lock not had) for the platform to
   * answer. With `lock` (a `@SessionLock()` route), the session's lock is taken first and the
   * session loaded under it: the route's locked section then neither waits nor reloads.
   */
  async open(port: SessionHttpPort, lock?: SessionLockSettings): Promise<Session> {
    const settings = lock && { ...this.engine.options.lock, ...lock };
    const session = await this.engine.open(port, settings);
    // A shared (Redis) count of an unknown token decides here whether the client gets 429.
    const settling = this.engine.security.settleUnknownTokens(port.request);
    if (!settling) return session;
    try {
      await settling;
    } catch (error) {
      await releaseLockTakenAtOpen(stateOf(session));
      throw error;
    }
    return session;
  }

  /** Runs the rest of the request with `session` as `SessionService`'s current session. */
  continueWith<T>(session: Session, next: () => T): T {
    return this.context.run(session, next);
  }

  /**
   * Writes what the request changed, then hands out a due JWT. Nothing to write and no JWT to
   * issue: `undefined` instead of a promise, so the response need not wait for one.
   */
  commit(session: Session): Promise<void> | undefined {
    const written = this.engine.commitIfChanged(session);
    const issued = this.jwt.enabled
      ? (written ?? Promise.resolve()).then(() => this.jwt.issue(session))
      : written;
    // A lock taken at open that no locked section used (a guard refused the request, say) is
    // released before the response goes: the client's next request must not wait for it.
    const state = stateOf(session);
    if (!state.guard.lockedAtOpen) return issued;
    if (!issued) return releaseLockTakenAtOpen(state);
    return issued.finally(() => releaseLockTakenAtOpen(state));
  }
}
