import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the session reads of a request on any HTTP platform: an Express `Request` and a Fastify
 * request both have this shape. A custom fingerprint function receives it.
 */
export interface SessionRequest {
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  /** The client address as the platform resolved it (trusted proxies applied). */
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
  readonly body?: unknown;
}

/**
 * A function of the request that accepts a platform's own request type too (a custom
 * fingerprint typed `(req: express.Request) => string` still fits): method syntax keeps the
 * parameter bivariant.
 */
export type RequestFunction<T> = { bivariant(request: SessionRequest): T }['bivariant'];

/** The client address: the platform's (trusted proxies applied), else the socket's. */
export function clientAddressOf(request: SessionRequest): string | undefined {
  return request.ip ?? request.socket?.remoteAddress;
}
