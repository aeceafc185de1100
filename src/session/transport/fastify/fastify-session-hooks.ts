import type { SessionRequestFlow } from '../../middleware/session-request-flow.js';
import { clientErrorOf } from '../../session-http-errors.js';
import { Session } from '../../session.js';
import { fastifyPort } from './fastify-port.js';
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
    flow.open(fastifyPort(request, reply)).then(
      (session) => {
        request.session = session;
        flow.continueWith(session, () => done());
      },
      (error: unknown) => void sendError(reply, error),
    );
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const session = request.session;
    if (!(session instanceof Session)) return payload;
    try {
      await flow.commit(session);
      return payload;
    } catch (error) {
      if (reply.raw.headersSent) return payload;
      return errorPayload(reply, error);
    }
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
