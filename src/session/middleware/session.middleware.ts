import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { clientErrorOf, toHttpException } from '../session-http-errors.js';
import type { Session } from '../session.js';
import { ExpressPort } from '../transport/express/express-port.js';
import { SessionRequestFlow } from './session-request-flow.js';
import { routeMarkOf } from '../route-marks/route-marker.js';

/**
 * Registered by `SessionModule` for every route of an Express app: opens `req.session` (one
 * store round trip when the cookie carries a valid token) and commits it before the response is
 * sent. Fastify apps get the same through hooks (`transport/fastify/`).
 */
@Injectable()
export class SessionMiddleware implements NestMiddleware {
  constructor(private readonly flow: SessionRequestFlow) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    const mark = routeMarkOf(request);
    if (mark?.skip) return next();
    let session: Session;
    try {
      session = await this.flow.open(new ExpressPort(request, response), mark?.lock);
    } catch (error) {
      throw toHttpException(error);
    }
    request.session = session;
    commitBeforeEnd(response, () => this.flow.commit(session));
    this.flow.continueWith(session, next);
  }
}

/**
 * Holds `res.end` until the session is committed, so the client's next request, on any server,
 * sees the write. Responses produced by Nest are normally committed earlier by the interceptor;
 * this covers plain Express middleware and error responses. If the commit fails while the
 * response can still be changed, the client gets the error instead of a false success.
 */
function commitBeforeEnd(response: Response, commit: () => Promise<void> | undefined): void {
  const end = response.end.bind(response) as (...args: unknown[]) => Response;
  let ending = false;
  response.end = ((...args: unknown[]) => {
    if (ending || response.headersSent) return end(...args);
    ending = true;
    // Nothing to write (a read-only request): the response goes out in this same tick.
    const writing = commit();
    if (!writing) return end(...args);
    writing.then(
      () => end(...args),
      (error: unknown) => {
        if (response.headersSent) return end(...args);
        const client = clientErrorOf(error);
        const body = JSON.stringify(client);
        response.status(client.statusCode);
        response.removeHeader('etag');
        response.setHeader('content-type', 'application/json; charset=utf-8');
        response.setHeader('content-length', Buffer.byteLength(body));
        end(body);
      },
    );
    return response;
  }) as Response['end'];
}
