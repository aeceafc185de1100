import type { CookieOptions, Request, Response } from 'express';

/**
 * The few things the engine does with a request and its response. Express implements it today;
 * another platform (Fastify) plugs in here without the engine changing.
 */
export interface SessionHttpPort {
  /** The request, for the policies that read it (fingerprint, client address, user agent). */
  readonly request: Request;
  /** The response can no longer change (its head is on the wire). */
  readonly headersSent: boolean;
  /** A request header, first value if repeated. */
  header(name: string): string | undefined;
  setCookie(name: string, value: string, attributes: CookieOptions): void;
  clearCookie(name: string, attributes: CookieOptions): void;
  setHeader(name: string, value: string): void;
}

/** The port over an Express response (and its request). */
export function expressPort(response: Response): SessionHttpPort {
  return {
    request: response.req,
    get headersSent() {
      return response.headersSent;
    },
    header(name) {
      const value = response.req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    setCookie: (name, value, attributes) => void response.cookie(name, value, attributes),
    clearCookie: (name, attributes) => void response.clearCookie(name, attributes),
    setHeader: (name, value) => void response.setHeader(name, value),
  };
}
