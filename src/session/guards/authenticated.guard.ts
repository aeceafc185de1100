import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOW_ANONYMOUS_METADATA, RECENT_SIGN_IN_METADATA } from '../session.constants.js';
import { RecentSignInRequiredError, SignInRequiredError } from '../../security/security.errors.js';
import { toHttpException } from '../session-http-errors.js';
import type { Session } from '../session.js';
import { signedInAtOf } from '../session-state.js';
import { guardedRequestOf } from './guarded-request.js';

/**
 * Lets a request through only when its session has a signed-in principal (401 otherwise), and,
 * on routes marked `@RequireRecentSignIn(ms)`, only when that sign-in is recent enough (403).
 * `@AllowAnonymous()` exempts a route when the guard is applied more widely.
 *
 * GraphQL resolvers and WebSocket handlers are judged on the request behind them (the context's
 * `req`; the client's handshake request); when it or its session cannot be found, and for any
 * other context type, the guard denies.
 *
 * @example
 * @Controller('account')
 * @UseGuards(AuthenticatedGuard)
 * export class AccountController {}
 */
@Injectable()
export class AuthenticatedGuard implements CanActivate {
  constructor(protected readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.shouldSkip(context)) return true;
    const session = this.getSession(context);
    // Outside HTTP, a context whose request or session cannot be found is denied, never allowed.
    if (!session && context.getType() !== 'http') return false;
    if (!session?.principal) throw toHttpException(SignInRequiredError.noPrincipal());
    const maxAgeMs = this.reflector.getAllAndOverride<number | undefined>(RECENT_SIGN_IN_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (maxAgeMs !== undefined) {
      const signedInAt = this.getSignedInAt(session);
      const ageMs = signedInAt === undefined ? undefined : Date.now() - signedInAt;
      if (ageMs === undefined || ageMs > maxAgeMs) {
        throw toHttpException(RecentSignInRequiredError.olderThan(maxAgeMs, ageMs));
      }
    }
    return true;
  }

  /** Skips the check for `@AllowAnonymous()` routes and handlers (HTTP, GraphQL, WebSocket). */
  protected shouldSkip(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_ANONYMOUS_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }

  /**
   * The session of the request: the HTTP request, the GraphQL context's `req`, or a WebSocket
   * client's handshake request (see {@link guardedRequestOf}).
   */
  protected getSession(context: ExecutionContext): Session | undefined {
    return guardedRequestOf(context)?.session;
  }

  /** When the principal last signed in (epoch ms), including a sign-in earlier in this request. */
  protected getSignedInAt(session: Session): number | undefined {
    return signedInAtOf(session);
  }
}
