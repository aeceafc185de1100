import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { publicIdOf } from '../../security/session-token.js';
import type { SessionJwtSigner } from '../../security/session-jwt.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { Session } from '../session.js';
import { SessionOptionsError } from '../session.errors.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import { stateOf } from '../session-state.js';

/**
 * The issuing policy of session JWTs: every response to a signed-in, saved session gets a fresh
 * one (so a client always holds the latest), expiring after `jwt.ttlMs` or with the session's
 * own deadline, whichever is sooner. None for anonymous, destroyed or replaced (rotated) sessions.
 */
@Injectable()
export class SessionJwtIssuer implements OnModuleInit {
  private signer?: SessionJwtSigner;

  constructor(@Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions) {}

  /** jose is loaded only when `jwt` is configured: apps without JWTs need not install it. */
  async onModuleInit(): Promise<void> {
    const jwt = this.options.jwt;
    if (!jwt) return;
    const { SessionJwtSigner } = await import('../../security/session-jwt.js').catch(
      (error: unknown) => {
        throw SessionOptionsError.invalid([
          `jwt needs the jose package (an optional peer dependency): npm install jose (${String(error)})`,
        ]);
      },
    );
    this.signer = new SessionJwtSigner(jwt.keys, jwt);
  }

  /** JWTs are configured: responses may carry one. */
  get enabled(): boolean {
    return this.options.jwt !== undefined;
  }

  /** Sets the JWT header of the session's response, when it is due and the head is not sent. */
  async issue(session: Session): Promise<void> {
    const { signer } = this;
    const jwt = this.options.jwt;
    if (!signer || !jwt) return;
    const state = stateOf(session);
    const { port } = state;
    if (!port || port.headersSent || state.destroyed || !state.stored || state.aliased) return;
    const principal = session.principal;
    if (!principal) return;
    const now = Date.now();
    const expiresAt = Math.min(now + jwt.ttlMs, state.expiresAt ?? Infinity);
    if (expiresAt - now < 1000) return;
    const token = await signer.sign(publicIdOf(state.key), principal.id, now, expiresAt);
    if (!port.headersSent) port.setHeader(jwt.responseHeader, token);
  }
}
