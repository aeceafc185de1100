import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { from, mergeMap, Observable } from 'rxjs';
import { SessionEngine } from '../engine/session-engine.js';
import { guardedRequestOf } from '../guards/guarded-request.js';
import { SessionContext } from '../session-context.js';
import type { Session } from '../session.js';

/**
 * Runs a gateway's message handler with the client's session as `SessionService`'s current
 * session, and commits what the handler changed when it is done (one round trip, nothing when
 * nothing changed). Applied globally by `SessionModule` (through `SessionCommitInterceptor`, its one
 * global interceptor); HTTP and GraphQL pass untouched.
 * Nest 11 applies no global interceptor to gateways: there, put
 * `@UseInterceptors(SessionSocketInterceptor)` on the gateway (harmless on Nest 12).
 *
 * Nothing is written for a session the store does not hold (an anonymous client's: no cookie
 * could carry its token), nor for cookie sessions (`cookieSessions`: the cookie cannot be
 * re-sent over a socket).
 */
@Injectable()
export class SessionSocketInterceptor implements NestInterceptor {
  constructor(
    @Inject(SessionEngine) private readonly engine: SessionEngine,
    @Inject(SessionContext) private readonly context: SessionContext,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'ws') return next.handle();
    const session = guardedRequestOf(context)?.session;
    // Already applied around this handler (globally on Nest 12 and by `@UseInterceptors`).
    if (!session || this.context.current() === session) return next.handle();
    // Subscribing runs the handler (Nest defers it), so the subscription is what must happen in
    // the session's context; creating the observable there is not enough on every Nest version.
    const handled = new Observable<unknown>((subscriber) =>
      this.context.run(session, () => next.handle().subscribe(subscriber)),
    );
    return handled.pipe(mergeMap((value: unknown) => from(this.commit(session).then(() => value))));
  }

  private async commit(session: Session): Promise<void> {
    if (session.isNew || this.engine.options.cookieSessions) return;
    await this.engine.commit(session);
  }
}
