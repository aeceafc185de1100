import type { IncomingMessage } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { SessionRequestFlow } from '../middleware/session-request-flow.js';
import { Session } from '../session.js';
import {
  gateMessages,
  handshakeOf,
  type HandshakeRequest,
  refuse,
  type SocketClient,
} from './socket-clients.js';
import { socketPort } from './socket-port.js';

/** How a gateway keeps its clients' sessions. */
export interface SessionSocketOptions {
  /**
   * How long a socket may use its session without asking the store again: the bound on how long
   * a revoked or destroyed session keeps working in an open socket. A message that arrives later
   * re-opens the session first (one store round trip); a passed deadline re-opens it at once.
   * @default 5000
   */
  readonly recheckIntervalMs?: number;
  /** Refuse (disconnect) a client whose handshake has no signed-in session. @default false */
  readonly requireSignIn?: boolean;
}

/** The documented bound: a revoked session works at most this long in an open socket. */
export const DEFAULT_SOCKET_RECHECK_INTERVAL_MS = 5000;

/** One client's session, and when the store last confirmed it. */
interface SocketBinding {
  readonly request: HandshakeRequest;
  readonly recheckIntervalMs: number;
  checkedAt: number;
  /** The open or recheck in progress; every message waits for it, in order. */
  turn: Promise<void>;
}

/**
 * The session of a WebSocket client: the one its handshake's cookie (or header token) opens,
 * verified exactly as for an HTTP request, attached as `client.request.session` (where
 * `@Session()`, `SessionService` and the guards find it) and re-checked against the store before
 * a message once it is `recheckIntervalMs` old.
 *
 * @example
 * @WebSocketGateway()
 * export class ChatGateway implements OnGatewayConnection {
 *   constructor(private readonly sockets: SessionSockets) {}
 *   handleConnection(client: Socket) {
 *     return this.sockets.attach(client); // `ws`: attach(client, request)
 *   }
 * }
 */
@Injectable()
export class SessionSockets {
  private readonly logger = new Logger('SessionSockets');
  private readonly bindings = new WeakMap<IncomingMessage, SocketBinding>();

  constructor(private readonly flow: SessionRequestFlow) {}

  /**
   * Opens the session of the client's handshake and keeps it fresh; messages wait until it is
   * open. Resolves to the session, or to `undefined` after disconnecting a client that cannot
   * have one (store down, too many unknown tokens, `requireSignIn` without a principal). Never
   * rejects, so `handleConnection` can return it as it is. A second call for the same client
   * returns the same session.
   */
  async attach(
    client: SocketClient,
    request?: IncomingMessage,
    options: SessionSocketOptions = {},
  ): Promise<Session | undefined> {
    const handshake = handshakeOf(client, request);
    if (!handshake) {
      refuse(client);
      return undefined;
    }
    await this.bindingOf(client, handshake, options).turn;
    const session = handshake.session;
    if (!session || (options.requireSignIn && !session.principal)) {
      refuse(client);
      return undefined;
    }
    return session;
  }

  /**
   * A socket.io middleware (`server.use(...)` in `afterInit`) that attaches the session during
   * the handshake, so a refused client never connects (it gets `connect_error`).
   */
  socketIoMiddleware(
    options: SessionSocketOptions = {},
  ): (socket: SocketClient & { request: IncomingMessage }, next: (error?: Error) => void) => void {
    return (socket, next) => {
      const handshake: HandshakeRequest = socket.request;
      void this.bindingOf(socket, handshake, options).turn.then(() => {
        const session = handshake.session;
        if (session && (!options.requireSignIn || session.principal)) return next();
        next(new Error(session ? 'sign-in required' : 'session unavailable'));
      });
    };
  }

  /** The client's binding; the first call opens the session and gates the client's messages. */
  private bindingOf(
    client: SocketClient,
    request: HandshakeRequest,
    options: SessionSocketOptions,
  ): SocketBinding {
    const known = this.bindings.get(request);
    if (known) return known;
    // `ws` clients keep no request: keep it for the guards and `@Session()`.
    if (!('request' in client)) Object.defineProperty(client, 'request', { value: request });
    const binding: SocketBinding = {
      request,
      recheckIntervalMs: options.recheckIntervalMs ?? DEFAULT_SOCKET_RECHECK_INTERVAL_MS,
      checkedAt: 0,
      turn: Promise.resolve(),
    };
    binding.turn = this.reopen(binding);
    this.bindings.set(request, binding);
    gateMessages(client, () => this.gate(binding));
    return binding;
  }

  /** Waits for the session's turn, re-opening it first when it is due. Never rejects. */
  private gate(binding: SocketBinding): Promise<void> {
    binding.turn = binding.turn.then(() =>
      this.isDue(binding) ? this.reopen(binding) : undefined,
    );
    return binding.turn;
  }

  /**
   * Due once the store confirmed it `recheckIntervalMs` ago, or once its own deadline passed.
   * A session the handshake's token did not open is never due: a token that opened nothing
   * never opens anything later, and asking again would only count more unknown tokens.
   */
  private isDue(binding: SocketBinding, now = Date.now()): boolean {
    const session = binding.request.session;
    // The store could not answer last time: ask again.
    if (!(session instanceof Session)) return true;
    if (session.isNew) return false;
    const expiresAt = session.expiresAt?.getTime();
    if (expiresAt !== undefined && expiresAt <= now) return true;
    return now - binding.checkedAt >= binding.recheckIntervalMs;
  }

  /**
   * Opens the handshake's session again, as a new HTTP request would (signature, fingerprint,
   * deadlines, revocation): a revoked or expired session becomes a fresh, anonymous one. When the
   * store cannot answer, the socket has no session until it can: the guards deny meanwhile.
   */
  private async reopen(binding: SocketBinding): Promise<void> {
    const { request } = binding;
    try {
      request.session = await this.flow.open(socketPort(request));
      binding.checkedAt = Date.now();
    } catch (error) {
      request.session = undefined;
      this.logger.warn(
        `A WebSocket session could not be opened: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
}
