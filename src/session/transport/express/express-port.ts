import type { Request, Response } from 'express';
import { clientAddressOf } from '../../../security/session-request.js';
import { firstHeader, type SessionHttpPort } from '../http-port.js';
import { cookieWriters, withCookieLine } from '../set-cookie.js';

/** The port over an Express request and its response. */
export function expressPort(request: Request, response: Response): SessionHttpPort {
  const setCookieLine = (name: string, line: string) =>
    response.setHeader('set-cookie', withCookieLine(response.getHeader('set-cookie'), name, line));
  return {
    request,
    get secure() {
      return request.secure;
    },
    get clientAddress() {
      return clientAddressOf(request);
    },
    get headersSent() {
      return response.headersSent;
    },
    header: (name) => firstHeader(request.headers, name),
    ...cookieWriters(setCookieLine),
    setHeader: (name, value) => void response.setHeader(name, value),
  };
}
