import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { SessionLocker, type SessionLockSettings } from '../locking/session-locker.js';
import { SESSION_LOCK_METADATA } from '../session.constants.js';
import { runAroundHandler } from './run-around-handler.js';

/** Runs a `@SessionLock()` handler under the session's lock. */
@Injectable()
export class SessionLockInterceptor implements NestInterceptor {
  constructor(
    private readonly locker: SessionLocker,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const settings = this.reflector.getAllAndOverride<SessionLockSettings | undefined>(
      SESSION_LOCK_METADATA,
      [context.getHandler(), context.getClass()],
    );
    return runAroundHandler(context, next, '@SessionLock()', (session, handler) =>
      this.locker.runLocked(session, handler, settings),
    );
  }
}
