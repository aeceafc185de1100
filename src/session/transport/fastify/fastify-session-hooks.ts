import type { SessionRequestFlow } from '../../middleware/session-request-flow.js';
import { clientErrorOf } from '../../session-http-errors.js';
import { Session } from '../../session.js';
import { FastifyPort } from './fastify-port.js';
import { routeMarkOf } from '../../route-marks/route-marker.js';
import type { FastifyInstanceLike, FastifyReplyLike } from './fastify-types.js';

/**
 * The session on a Fastify app: `onRequest` opens `request.session` (before body parsing, so a
 * refused token costs no parsing) and runs the rest of the request in its context; `onSend`
 * commits before the response is written, and turns a failed commit into the error response,
 * as the Express middleware does by holding `res.end`.
 */
export function installFastifySessionHooks(
  fastify: FastifyInstanceLike,
  flow: SessionRequestFlow,
): void {
  // A declared property keeps every request object the same shape (Fastify's advice).
  if (!fastify.hasRequestDecorator('session')) fastify.decorateRequest('session', null);

  fastify.addHook('onRequest', (request, reply, done) => {
    const mark = routeMarkOf(request.raw);
    if (mark?.skip) return done();
    flow.open(new FastifyPort(request, reply), mark?.lock).then(
      (session) => {
        request.session = session;
        flow.continueWith(session, () => done());
      },
      (error: unknown) => void sendError(reply, error),
    );
  });

  // Callback style: a request with nothing to write goes on in the same tick, no promise.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const session = request.session;
    const writing = session instanceof Session ? flow.commit(session) : undefined;
    if (!writing) return done(null, payload);
    writing.then(
      () => done(null, payload),
      (error: unknown) => done(null, reply.raw.headersSent ? payload : errorPayload(reply, error)),
    );
  });
}

function sendError(reply: FastifyReplyLike, error: unknown): void {
  const body = clientErrorOf(error);
  reply.code(body.statusCode).header('content-type', 'application/json; charset=utf-8');
  reply.send(JSON.stringify(body));
}

/** The client gets the commit's error instead of a false success. */
function errorPayload(reply: FastifyReplyLike, error: unknown): string {
  const body = clientErrorOf(error);
  reply.code(body.statusCode);
  reply.removeHeader('etag');
  reply.removeHeader('content-length');
  reply.header('content-type', 'application/json; charset=utf-8');
  return JSON.stringify(body);
}
