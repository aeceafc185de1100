import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  type OnGatewayConnection,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  type WsResponse,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import {
  AuthenticatedGuard,
  CsrfGuard,
  RequireRecentSignIn,
  Session,
  SessionLock,
  SessionService,
  SessionSocketExceptionFilter,
  SessionSocketInterceptor,
  SessionSockets,
  SkipCsrf,
  type SocketClient,
  type TypedSession,
} from '../../src/index.js';

/** The session of these suites: a counter the handlers bump. */
type CountedSession = TypedSession & { count?: number };

/** Signs in over HTTP and shows the session's handles, for the gateway suites. */
@Controller('http')
@SkipCsrf()
export class SignInController {
  constructor(private readonly sessions: SessionService) {}

  @Post('sign-in')
  async signIn(@Body() body: { id: string }) {
    await this.sessions.signIn({ id: body.id });
    return { csrf: this.sessions.csrfToken() };
  }

  @Get('sessions')
  async list() {
    return this.sessions.listSessions();
  }

  @Post('revoke/:handle')
  async revoke(@Param('handle') handle: string) {
    return { revoked: await this.sessions.revokeSession(handle) };
  }

  @Get('read')
  read(@Session() session: CountedSession) {
    return { principal: session.principal?.id ?? null, count: session.count ?? null };
  }
}

/** One gateway for both platforms: its handlers read and change the handshake's session. */
export function sessionGateway(options: { path?: string; recheckIntervalMs: number }) {
  @WebSocketGateway(options.path ? { path: options.path } : {})
  @UseFilters(SessionSocketExceptionFilter)
  // Nest 12 applies it globally; Nest 11 applies no global interceptor to gateways.
  @UseInterceptors(SessionSocketInterceptor)
  class SessionGateway implements OnGatewayConnection, OnGatewayInit {
    constructor(
      readonly sockets: SessionSockets,
      readonly sessions: SessionService,
    ) {}

    afterInit(server: unknown): void {
      // socket.io: a namespace whose handshake needs a signed-in session.
      const io = server as { of?: (name: string) => { use: (fn: unknown) => void } };
      io.of?.('/private').use(this.sockets.socketIoMiddleware({ requireSignIn: true }));
    }

    handleConnection(client: SocketClient, request?: IncomingMessage) {
      const { recheckIntervalMs } = options;
      return this.sockets.attach(client, request, { recheckIntervalMs });
    }

    @SubscribeMessage('whoami')
    whoami(@Session() session: TypedSession | undefined): WsResponse<unknown> {
      return { event: 'whoami', data: { principal: session?.principal?.id ?? null } };
    }

    @SubscribeMessage('count')
    @UseGuards(AuthenticatedGuard, CsrfGuard)
    count(): WsResponse<number> {
      // SessionService finds the gateway's session, as in an HTTP handler.
      const session: CountedSession = this.sessions.current();
      session.count = (session.count ?? 0) + 1;
      return { event: 'count', data: session.count };
    }

    @SubscribeMessage('recent')
    @RequireRecentSignIn(60_000)
    recent(@Session() session: CountedSession): WsResponse<unknown> {
      return { event: 'recent', data: { count: session.count ?? null } };
    }

    /** Refused: a socket's messages share the handshake's session (SessionStateError). */
    @SubscribeMessage('locked')
    @SessionLock()
    locked(): WsResponse<boolean> {
      return { event: 'locked', data: true };
    }

    @SubscribeMessage('sign-out')
    async signOut(): Promise<WsResponse<boolean>> {
      await this.sessions.signOut();
      return { event: 'sign-out', data: true };
    }
  }
  return SessionGateway;
}
