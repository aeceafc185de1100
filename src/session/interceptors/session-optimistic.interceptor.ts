import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { SessionLocker } from '../locking/session-locker.js';
import { runAroundHandler } from './run-around-handler.js';

/** Runs a `@SessionOptimistic()` handler once; a conflicting commit becomes HTTP 409. */
@Injectable()
export class SessionOptimisticInterceptor implements NestInterceptor {
  constructor(private readonly locker: SessionLocker) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return runAroundHandler(context, next, '@SessionOptimistic()', (session, handler) =>
      this.locker.runOptimistic(session, handler, { attempts: 1 }),
    );
  }
}
