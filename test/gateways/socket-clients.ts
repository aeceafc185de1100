import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { SessionSocketRefusal as SocketRefusal } from '../../src/index.js';

/** A message's answer: the handler's reply, or the refusal the gateway's filter sent. */
export type Answer = { readonly reply: unknown } | { readonly refused: SocketRefusal };

/** A connected test client, socket.io or `ws`, asking one message at a time. */
export interface TestSocket {
  ask(event: string, data?: Record<string, unknown>): Promise<Answer>;
  close(): void;
}

function urlOf(http: Server, scheme: 'http' | 'ws', path = ''): string {
  return `${scheme}://127.0.0.1:${(http.address() as AddressInfo).port}${path}`;
}

/** A socket.io client sending `cookie` with its handshake; rejects on `connect_error`. */
export function connectIo(http: Server, cookie?: string, namespace = ''): Promise<TestSocket> {
  const socket: Socket = io(urlOf(http, 'http', namespace), {
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(ioClient(socket)));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function ioClient(socket: Socket): TestSocket {
  return {
    ask: (event, data = {}) =>
      new Promise((resolve) => {
        const done = (answer: Answer) => {
          socket.off(event).off('exception');
          resolve(answer);
        };
        socket.once(event, (reply: unknown) => done({ reply }));
        socket.once('exception', (refused: SocketRefusal) => done({ refused }));
        socket.emit(event, data);
      }),
    close: () => void socket.close(),
  };
}

/** A `ws` client sending `cookie` with its handshake. */
export function connectWs(http: Server, path: string, cookie?: string): Promise<TestSocket> {
  const socket = new WebSocket(urlOf(http, 'ws', path), { headers: cookie ? { cookie } : {} });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(wsClient(socket)));
    socket.once('error', reject);
  });
}

function wsClient(socket: WebSocket): TestSocket {
  return {
    ask: (event, data = {}) =>
      new Promise((resolve) => {
        const onMessage = (raw: WebSocket.RawData) => {
          const message = JSON.parse(String(raw)) as { event: string; data: unknown };
          if (message.event !== event && message.event !== 'exception') return;
          socket.off('message', onMessage);
          resolve(
            message.event === 'exception'
              ? { refused: message.data as SocketRefusal }
              : { reply: message.data },
          );
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ event, data }));
      }),
    close: () => socket.close(),
  };
}
