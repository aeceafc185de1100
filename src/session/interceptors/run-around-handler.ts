import type { CallHandler, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { TypedSession } from '../session.js';
import { toHttpException } from '../session-http-errors.js';

/**
 * Runs the route handler inside `run` (under a lock, or once optimistically) with the request's
 * session; a session error (conflict, lock timeout) becomes its HTTP exception.
 */
export function runAroundHandler(
  context: ExecutionContext,
  next: CallHandler,
  run: (session: TypedSession, handler: () => Promise<unknown>) => Promise<unknown>,
): Observable<unknown> {
  const session = context.switchToHttp().getRequest<Request>().session;
  const handler = () => lastValueFrom(next.handle(), { defaultValue: undefined });
  return from(
    run(session, handler).catch((error: unknown) => {
      throw toHttpException(error);
    }),
  );
}
