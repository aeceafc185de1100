import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { guardedRequestOf } from '../guards/guarded-request.js';
import { onSkippedRoute } from '../route-marks/route-marker.js';
import type { TypedSession } from '../session.js';
import { SessionStateError } from '../session.errors.js';
import { toHttpException } from '../session-http-errors.js';

/**
 * Runs the handler inside `run` (under a lock, or once optimistically) with the request's
 * session; a session error (conflict, lock timeout) becomes its HTTP exception. `decorator`
 * names the route's decorator in the error raised where there is no request session to run on.
 */
export function runAroundHandler(
  context: ExecutionContext,
  next: CallHandler,
  decorator: string,
  run: (session: TypedSession, handler: () => Promise<unknown>) => Promise<unknown>,
): Observable<unknown> {
  const session = requestSessionOf(context, decorator);
  const handler = () => lastValueFrom(next.handle(), { defaultValue: undefined });
  return from(
    run(session, handler).catch((error: unknown) => {
      throw toHttpException(error);
    }),
  );
}

/**
 * The session of the HTTP request behind a route or a GraphQL resolver (the context's `req`).
 * A WebSocket message has no request of its own: its session is the handshake's, shared by
 * every message of the socket, and committed per message by `SessionSocketInterceptor`.
 */
function requestSessionOf(context: ExecutionContext, decorator: string): TypedSession {
  const guarded = guardedRequestOf(context);
  if (guarded?.type === 'ws' || (!guarded && context.getType<string>() === 'ws')) {
    throw SessionStateError.notOnSockets(decorator);
  }
  if (guarded?.session) return guarded.session as TypedSession;
  if (guarded && onSkippedRoute(guarded.request)) throw SessionStateError.skipped(decorator);
  throw SessionStateError.noActiveRequest(decorator);
}
