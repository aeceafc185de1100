import { Injectable } from '@nestjs/common';
import { SessionEngine } from '../engine/session-engine.js';
import { SessionJwtIssuer } from '../jwt/session-jwt-issuer.js';
import { SessionContext } from '../session-context.js';
import type { Session } from '../session.js';
import type { SessionHttpPort } from '../transport/http-port.js';

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
   * session error (store down, too many unknown tokens) for the platform to answer.
   */
  async open(port: SessionHttpPort): Promise<Session> {
    const session = await this.engine.open(port);
    // A shared (Redis) count of an unknown token decides here whether the client gets 429.
    await this.engine.security.settleUnknownTokens(port.request);
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
    if (!this.jwt.enabled) return written;
    return (written ?? Promise.resolve()).then(() => this.jwt.issue(session));
  }
}
