import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { SessionLocker, type SessionLockSettings } from '../locking/session-locker.js';
import { SESSION_LOCK_METADATA } from '../session.constants.js';
import { toHttpException } from '../session-http-errors.js';

/** Runs a `@SessionLock()` handler under the session's lock. */
@Injectable()
export class SessionLockInterceptor implements NestInterceptor {
  constructor(
    private readonly locker: SessionLocker,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const session = context.switchToHttp().getRequest<Request>().session;
    const settings = this.reflector.getAllAndOverride<SessionLockSettings | undefined>(
      SESSION_LOCK_METADATA,
      [context.getHandler(), context.getClass()],
    );
    return from(
      this.locker
        .runLocked(
          session,
          () => lastValueFrom(next.handle(), { defaultValue: undefined }),
          settings,
        )
        .catch((error: unknown) => {
          throw toHttpException(error);
        }),
    );
  }
}
