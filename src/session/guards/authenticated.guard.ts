import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import {
  ALLOW_ANONYMOUS_METADATA,
  RECENT_SIGN_IN_METADATA,
} from '../../security/security.constants.js';
import { RecentSignInRequiredError, SignInRequiredError } from '../../security/security.errors.js';
import { toHttpException } from '../session-http-errors.js';
import { Session } from '../session.js';
import { stateOf } from '../session-state.js';

/**
 * Lets a request through only when its session has a signed-in principal (401 otherwise), and,
 * on routes marked `@RequireRecentSignIn(ms)`, only when that sign-in is recent enough (403).
 * `@AllowAnonymous()` exempts a route when the guard is applied more widely.
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

  /** Skips the check for `@AllowAnonymous()` routes and non-HTTP contexts. */
  protected shouldSkip(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    return (
      this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_ANONYMOUS_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }

  /** The session of the request. */
  protected getSession(context: ExecutionContext): Session | undefined {
    const session = context.switchToHttp().getRequest<Request>().session;
    return session instanceof Session ? session : undefined;
  }

  /** When the principal last signed in (epoch ms), including a sign-in earlier in this request. */
  protected getSignedInAt(session: Session): number | undefined {
    const state = stateOf(session);
    const changed = state.metaChange.authenticatedAt;
    if (changed !== undefined) return changed ?? undefined;
    return state.meta?.authenticatedAt;
  }
}
