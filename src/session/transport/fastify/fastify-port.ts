import { firstHeader, type SessionHttpPort } from '../http-port.js';
import { CookieWritingPort, withCookieLine } from '../set-cookie.js';
import type { FastifyReplyLike, FastifyRequestLike } from './fastify-types.js';

/** The port over a Fastify request and its reply. */
export class FastifyPort extends CookieWritingPort implements SessionHttpPort {
  constructor(
    readonly request: FastifyRequestLike,
    private readonly reply: FastifyReplyLike,
  ) {
    super();
  }

  get secure(): boolean {
    return this.request.protocol === 'https';
  }

  get clientAddress(): string | undefined {
    return this.request.ip;
  }

  get headersSent(): boolean {
    return this.reply.sent || this.reply.raw.headersSent;
  }

  header(name: string): string | undefined {
    return firstHeader(this.request.headers, name);
  }

  setHeader(name: string, value: string): void {
    this.reply.header(name, value);
  }

  // Fastify appends every `set-cookie` it is given; the line of our cookie must replace its own.
  protected setCookieLine(name: string, line: string): void {
    const lines = withCookieLine(this.reply.getHeader('set-cookie'), name, line);
    this.reply.removeHeader('set-cookie');
    for (const each of lines) this.reply.header('set-cookie', each);
  }
}
