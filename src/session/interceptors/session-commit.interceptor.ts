import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { SessionEngine } from '../engine/session-engine.js';
import { toHttpException } from '../session-http-errors.js';
import { Session } from '../session.js';
import { SessionSocketInterceptor } from '../sockets/session-socket.interceptor.js';

/**
 * Commits the session when the handler's result is ready and before Nest writes it, so a commit
 * error (conflict, size, store down) reaches the app's exception filters as an HttpException.
 * Registered globally by `SessionModule`, as the module's only global interceptor: a gateway's
 * message goes to {@link SessionSocketInterceptor} from here, because every global interceptor
 * adds a layer of Nest's interceptor pipeline to every HTTP request (measured in bench/README.md).
 */
@Injectable()
export class SessionCommitInterceptor implements NestInterceptor {
  constructor(
    private readonly engine: SessionEngine,
    private readonly sockets: SessionSocketInterceptor,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType();
    if (type === 'ws') return this.sockets.intercept(context, next);
    if (type !== 'http') return next.handle();
    const session = context.switchToHttp().getRequest<Request>().session;
    if (!(session instanceof Session)) return next.handle();
    return next.handle().pipe(
      // A session error the handler raised (sign-in refused, store down) gets its own status too.
      catchError((error: unknown) => {
        throw toHttpException(error);
      }),
      mergeMap((value: unknown) => {
        const writing = this.engine.commitIfChanged(session);
        // Nothing to write: the value goes on at once, wrapped so that an array stays one value.
        if (!writing) return [value];
        return from(
          writing.then(
            () => value,
            (error: unknown) => {
              throw toHttpException(error);
            },
          ),
        );
      }),
    );
  }
}
