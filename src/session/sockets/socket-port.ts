import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { clientAddressOf } from '../../security/session-request.js';
import { firstHeader, type SessionHttpPort } from '../transport/http-port.js';

/**
 * The port over a WebSocket's handshake request. The handshake's response is long gone, so the
 * port reads only: it can neither set nor clear a cookie, and the engine sends nothing through it
 * (`headersSent`), refuses to regenerate through it (`readOnly`), and skips token rotation.
 */
export function socketPort(request: IncomingMessage): SessionHttpPort {
  // A handshake is a GET (socket.io's polling transport may POST); Node always sets it.
  const sessionRequest = request as IncomingMessage & { method: string };
  return {
    request: sessionRequest,
    secure: (request.socket as Partial<TLSSocket> | undefined)?.encrypted === true,
    clientAddress: clientAddressOf(sessionRequest),
    headersSent: true,
    readOnly: true,
    header: (name) => firstHeader(request.headers, name),
    setCookie: () => undefined,
    clearCookie: () => undefined,
    setHeader: () => undefined,
  };
}
