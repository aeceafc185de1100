import { firstHeader, type SessionHttpPort } from '../http-port.js';
import { cookieWriters, withCookieLine } from '../set-cookie.js';
import type { FastifyReplyLike, FastifyRequestLike } from './fastify-types.js';

/** The port over a Fastify request and its reply. */
export function fastifyPort(request: FastifyRequestLike, reply: FastifyReplyLike): SessionHttpPort {
  // Fastify appends every `set-cookie` it is given; the line of our cookie must replace its own.
  const setCookieLine = (name: string, line: string) => {
    const lines = withCookieLine(reply.getHeader('set-cookie'), name, line);
    reply.removeHeader('set-cookie');
    for (const each of lines) reply.header('set-cookie', each);
  };
  return {
    request,
    get secure() {
      return request.protocol === 'https';
    },
    get clientAddress() {
      return request.ip;
    },
    get headersSent() {
      return reply.sent || reply.raw.headersSent;
    },
    header: (name) => firstHeader(request.headers, name),
    ...cookieWriters(setCookieLine),
    setHeader: (name, value) => void reply.header(name, value),
  };
}
