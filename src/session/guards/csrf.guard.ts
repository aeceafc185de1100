import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { SKIP_CSRF_METADATA } from '../../security/security.constants.js';
import { CsrfTokenError } from '../../security/security.errors.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { SessionEngine } from '../session-engine.js';
import { toHttpException } from '../session-http-errors.js';
import { Session } from '../session.js';

/** Methods that must not change state (RFC 9110 safe methods); they need no CSRF token. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Synchronizer-token CSRF defence: an unsafe request (POST, PUT, PATCH, DELETE...) must carry
 * the session's CSRF token (`sessionService.csrfToken()`) in the `x-csrf-token` header or the
 * `_csrf` form field (names from the `csrf` options), else 403 (`CsrfTokenError`).
 * `@SkipCsrf()` exempts a route or controller.
 *
 * @example
 * // everywhere:
 * providers: [{ provide: APP_GUARD, useClass: CsrfGuard }]
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  private readonly options: ResolvedSessionOptions;

  constructor(
    protected readonly reflector: Reflector,
    @Inject(SessionEngine) protected readonly engine: SessionEngine,
  ) {
    this.options = engine.options;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.shouldSkip(context)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const session = request.session;
    const token = this.getSubmittedToken(request);
    const { headerName, fieldName } = this.options.security.csrf;
    if (!token) throw toHttpException(CsrfTokenError.missing(headerName, fieldName));
    if (!(session instanceof Session) || !this.engine.security.verifyCsrf(session, token)) {
      throw toHttpException(CsrfTokenError.invalid());
    }
    return true;
  }

  /** Skips safe methods, header-token transport, `@SkipCsrf()` routes and non-HTTP contexts. */
  protected shouldSkip(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (SAFE_METHODS.has(context.switchToHttp().getRequest<Request>().method)) return true;
    // A token in a request header is never attached by a browser on its own: no CSRF to defend.
    if (this.options.transport.kind === 'header') return true;
    return (
      this.reflector.getAllAndOverride<boolean | undefined>(SKIP_CSRF_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) === true
    );
  }

  /** The token the request submitted: the header first, then the body field. */
  protected getSubmittedToken(request: Request): string | undefined {
    const { headerName, fieldName } = this.options.security.csrf;
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
