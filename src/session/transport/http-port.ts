import type { IncomingHttpHeaders } from 'node:http';
import type { SessionRequest } from '../../security/session-request.js';
import type { CookieAttributes } from '../../security/cookie-attributes.js';

export type { SessionRequest };

/**
 * The few things the engine does with a request and its response, on any HTTP platform. The
 * Express and Fastify ports implement it; the engine never sees a platform's own objects except
 * through `request`.
 */
export interface SessionHttpPort {
  /** The platform's request, for the policies that read it (fingerprint, user agent). */
  readonly request: SessionRequest;
  /** Over HTTPS, directly or behind a proxy the platform trusts (`secure: 'auto'` cookies). */
  readonly secure: boolean;
  /** The client address (`req.ip`), or the socket's when the platform gives none. */
  readonly clientAddress: string | undefined;
  /** The response can no longer change (its head is on the wire). */
  readonly headersSent: boolean;
  /**
   * Nothing can ever be sent back (a WebSocket handshake): the engine refuses to give the
   * session a new token through this port, since the client would never get it.
   */
  readonly readOnly?: boolean;
  /** A request header, first value if repeated. */
  header(name: string): string | undefined;
  /**
   * Sets the cookie, replacing any `Set-Cookie` of the same name this response already has;
   * without `maxAgeMs`, a browser-session cookie (no `Max-Age`, no `Expires`).
   */
  setCookie(
    name: string,
    value: string,
    attributes: CookieAttributes,
    maxAgeMs: number | undefined,
  ): void;
  /** Tells the client to drop the cookie. */
  clearCookie(name: string, attributes: CookieAttributes): void;
  setHeader(name: string, value: string): void;
}

/** The first value of a request header. */
export function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
