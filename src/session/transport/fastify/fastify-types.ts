import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/*
 * The parts of Fastify the session uses, described here so that the library needs no Fastify
 * types at build time and Express apps never load Fastify.
 */

export interface FastifyRequestLike {
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  readonly ip: string;
  readonly protocol: 'http' | 'https';
  readonly body?: unknown;
  /** Where Nest's middleware (through middie) leaves what it marks, such as a locked route. */
  readonly raw: IncomingMessage;
  session?: unknown;
}

export interface FastifyReplyLike {
  readonly sent: boolean;
  readonly raw: ServerResponse;
  getHeader(name: string): number | string | string[] | undefined;
  header(name: string, value: unknown): FastifyReplyLike;
  removeHeader(name: string): FastifyReplyLike;
  code(statusCode: number): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/** Callback style, so that the rest of the request runs inside the session's async context. */
export type OnRequestHook = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
  done: (error?: Error) => void,
) => void;
export type OnSendHook = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
  payload: unknown,
  done: (error: Error | null, payload?: unknown) => void,
) => void;

export interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: OnRequestHook): unknown;
  addHook(name: 'onSend', hook: OnSendHook): unknown;
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: unknown): unknown;
}
