import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { SessionLocker } from '../locking/session-locker.js';
import { toHttpException } from '../session-http-errors.js';

/** Runs a `@SessionOptimistic()` handler once; a conflicting commit becomes HTTP 409. */
@Injectable()
export class SessionOptimisticInterceptor implements NestInterceptor {
  constructor(private readonly locker: SessionLocker) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const session = context.switchToHttp().getRequest<Request>().session;
    return from(
      this.locker
        .runOptimistic(session, () => lastValueFrom(next.handle(), { defaultValue: undefined }), {
          attempts: 1,
        })
        .catch((error: unknown) => {
          throw toHttpException(error);
        }),
    );
  }
}
