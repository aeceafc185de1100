import type { IncomingMessage } from 'node:http';
import type { Session } from '../session.js';

/** The handshake request, with the session `SessionSockets` attaches to it. */
export type HandshakeRequest = IncomingMessage & { session?: Session };

/** What `SessionSockets` needs of a socket.io server-side `Socket`. */
export interface SocketIoClientLike {
  readonly request: IncomingMessage;
  use(middleware: (packet: unknown[], next: (error?: Error) => void) => void): unknown;
  disconnect(close?: boolean): unknown;
}

/** What `SessionSockets` needs of a `ws` WebSocket (`@nestjs/platform-ws`). */
export interface WsClientLike {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  close(code?: number, reason?: string): void;
}

/** A gateway's client: a socket.io `Socket` or a `ws` WebSocket. */
export type SocketClient = SocketIoClientLike | WsClientLike;

export function isSocketIoClient(client: SocketClient): client is SocketIoClientLike {
  return 'use' in client && typeof client.use === 'function' && 'request' in client;
}

/** The handshake request a client keeps (socket.io), or the one given for it (`ws`). */
export function handshakeOf(
  client: SocketClient,
  request: IncomingMessage | undefined,
): HandshakeRequest | undefined {
  if (request) return request;
  const kept = (client as { request?: unknown }).request;
  return typeof kept === 'object' && kept !== null ? (kept as HandshakeRequest) : undefined;
}

/**
 * Lets every incoming message wait for `gate()` before the gateway sees it: socket.io through
 * its per-socket middleware, `ws` by holding the `message` event (it has no middleware).
 */
export function gateMessages(client: SocketClient, gate: () => Promise<void>): void {
  if (isSocketIoClient(client)) {
    client.use((_packet, next) => void gate().then(() => next()));
    return;
  }
  const emit = client.emit.bind(client);
  client.emit = (event: string | symbol, ...args: unknown[]) => {
    if (event !== 'message') return emit(event, ...args);
    void gate().then(() => {
      try {
        emit(event, ...args);
      } catch (error) {
        // A listener's error stays as uncaught as it is without the gate.
        setImmediate(() => {
          throw error;
        });
      }
    });
    return true;
  };
}

/** Ends the connection of a client that cannot have its session. */
export function refuse(client: SocketClient): void {
  if (isSocketIoClient(client)) client.disconnect(true);
  else client.close(1008, 'session refused');
}
