import { SessionError } from '../../errors/session-error.js';

/**
 * What a WebSocket cannot do with its session: the token lives in the handshake's cookie (or
 * header), and no cookie or header can reach the client over an open socket.
 */
export class SessionOverSocketError extends SessionError {
  override readonly httpStatus = 409;

  /** Sign-in, sign-out and `regenerate()` give the session a token the client would never get. */
  static cannotRegenerate(operation: string): SessionOverSocketError {
    return new SessionOverSocketError(
      `${operation} gives the session a new token, which cannot reach the client over a ` +
        'WebSocket; do it over HTTP, then reconnect the socket.',
    );
  }

  /** A socket whose handshake request is not there cannot carry a session. */
  static noHandshake(): SessionOverSocketError {
    return new SessionOverSocketError(
      'The client has no handshake request: pass it to attach(client, request) (the `ws` ' +
        "platform gives it as handleConnection's second argument).",
    );
  }
}
