import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { SKIP_CSRF_METADATA } from '../session.constants.js';
import { CsrfTokenError } from '../../security/security.errors.js';
import { SessionCsrfCheck } from '../security/session-csrf-check.js';
import { toHttpException } from '../session-http-errors.js';
import { guardedRequestOf } from './guarded-request.js';

/** Methods that must not change state (RFC 9110 safe methods); they need no CSRF token. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Synchronizer-token CSRF defence: an unsafe request (POST, PUT, PATCH, DELETE...) must carry
 * the session's CSRF token (`sessionService.csrfToken()`) in the `x-csrf-token` header or the
 * `_csrf` form field (names from the `csrf` options), else 403 (`CsrfTokenError`).
 * `@SkipCsrf()` exempts a route or controller. GraphQL requests are judged like HTTP ones (on
 * the context's `req`); a WebSocket message must carry the token in its data's `_csrf` field.
 * Any other context type, or one whose request or session cannot be found, is denied.
 *
 * @example
 * // everywhere:
 * providers: [{ provide: APP_GUARD, useClass: CsrfGuard }]
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    @Inject(SessionCsrfCheck) protected readonly csrf: SessionCsrfCheck,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.shouldSkip(context)) return true;
    const guarded = guardedRequestOf(context);
    // Outside HTTP, a context whose request or session cannot be found is denied, never allowed.
    if (!guarded || (!guarded.session && guarded.type !== 'http')) return false;
    const token =
      guarded.type === 'ws'
        ? this.getMessageToken(context.switchToWs().getData<unknown>())
        : this.getSubmittedToken(guarded.request);
    if (!token) {
      throw toHttpException(CsrfTokenError.missing(this.csrf.headerName, this.csrf.fieldName));
    }
    if (!guarded.session || !this.csrf.verify(guarded.session, token)) {
      throw toHttpException(CsrfTokenError.invalid());
    }
    return true;
  }

  /**
   * Skips header-token transport and `@SkipCsrf()` handlers, and HTTP and GraphQL requests with
   * a safe method. A WebSocket message is never skipped for its method: the handshake is a GET
   * that any site can make, so each message carries the token itself.
   */
  protected shouldSkip(context: ExecutionContext): boolean {
    // A token in a request header is never attached by a browser on its own: no CSRF to defend.
    if (!this.csrf.applies) return true;
    if (
      this.reflector.getAllAndOverride<boolean | undefined>(SKIP_CSRF_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    ) {
      return true;
    }
    const guarded = guardedRequestOf(context);
    return (
      guarded !== undefined && guarded.type !== 'ws' && SAFE_METHODS.has(guarded.request.method)
    );
  }

  /** The token of a WebSocket message: the CSRF field (`_csrf`) of its data. */
  protected getMessageToken(data: unknown): string | undefined {
    if (typeof data !== 'object' || data === null) return undefined;
    const field = (data as Record<string, unknown>)[this.csrf.fieldName];
    return typeof field === 'string' && field.length > 0 ? field : undefined;
  }

  /** The token the request submitted: the header first, then the body field. */
  protected getSubmittedToken(request: Request): string | undefined {
    const { headerName, fieldName } = this.csrf;
    const header = request.headers[headerName];
    if (typeof header === 'string' && header.length > 0) return header;
    const body: unknown = request.body;
    if (typeof body === 'object' && body !== null) {
      const field = (body as Record<string, unknown>)[fieldName];
      if (typeof field === 'string' && field.length > 0) return field;
    }
    return undefined;
  }
}
