import {
  Controller,
  Get,
  type INestApplication,
  Req,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { Request } from 'express';
import request from 'supertest';
import {
  AllowAnonymous,
  AuthenticatedGuard,
  CsrfGuard,
  SessionService,
  SkipCsrf,
} from '../../src/index.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { SECRET_A } from './security-app.js';

/** Requests as the session middleware left them, captured so the guards can be run on them. */
const captured: Request[] = [];

@Controller('g')
class CaptureController {
  constructor(private readonly sessions: SessionService) {}

  @Get('capture')
  capture(@Req() req: Request) {
    captured.push(req);
    return { csrf: this.sessions.csrfToken() };
  }

  @Get('sign-in')
  async signIn() {
    await this.sessions.signIn({ id: 'alice' });
    return { ok: true };
  }
}

/** A resolver or gateway, as GraphQL and WebSocket handlers look to a guard. */
class Handlers {
  mutate(): void {}
  @AllowAnonymous()
  @SkipCsrf()
  open(): void {}
}

/** A guard's decision: true, false, or the status of the error it raised. */
async function decide(guard: CanActivate, context: ExecutionContext): Promise<boolean | number> {
  try {
    return (await guard.canActivate(context)) as boolean;
  } catch (error) {
    return (error as { getStatus?: () => number }).getStatus?.() ?? -1;
  }
}

function contextOf(type: string, args: unknown[], handler: keyof Handlers = 'mutate') {
  const context = new ExecutionContextHost(args, Handlers, Handlers.prototype[handler]);
  context.setType(type);
  return context;
}

/** GraphQL resolver arguments: root, args, context (with the HTTP request), info. */
const graphql = (req: unknown, handler?: keyof Handlers) =>
  contextOf('graphql', [{}, {}, { req }, {}], handler);
/** WebSocket handler arguments: the client (socket.io keeps the handshake at `request`), data. */
const ws = (client: unknown, data: unknown = {}, handler?: keyof Handlers) =>
  contextOf('ws', [client, data], handler);

describe('AuthenticatedGuard and CsrfGuard outside HTTP (GraphQL, WebSocket, unknown)', () => {
  let app: INestApplication;
  let authenticated: AuthenticatedGuard;
  let csrf: CsrfGuard;
  let signedIn: { req: Request; csrf: string };
  let anonymous: Request;

  beforeAll(async () => {
    const booted = await bootSessionApp({
      options: { secrets: [SECRET_A] },
      controllers: [CaptureController],
    });
    app = booted.app;
    // The guards as an app module builds them (its ModuleRef, not the first one registered).
    const appModuleRef = app.select(booted.rootModule).get(ModuleRef, { strict: true });
    authenticated = await appModuleRef.create(AuthenticatedGuard);
    csrf = await appModuleRef.create(CsrfGuard);

    const server = app.getHttpServer();
    const jar = new CookieJar();
    jar.take(await request(server).get('/g/sign-in').expect(200));
    const token = (await request(server).get('/g/capture').set('cookie', jar.header)).body.csrf;
    signedIn = { req: captured.pop()!, csrf: token as string };
    await request(server).get('/g/capture').expect(200);
    anonymous = captured.pop()!;
  });
  afterAll(() => app.close());

  it('GraphQL: decides on the context request; no principal or no session is denied', async () => {
    expect(await decide(authenticated, graphql(signedIn.req))).toBe(true);
    expect(await decide(authenticated, graphql(anonymous))).toBe(401);
    expect(await decide(authenticated, graphql({ headers: {} }))).toBe(false);
    expect(await decide(authenticated, contextOf('graphql', [{}, {}, {}, {}]))).toBe(false);
    expect(await decide(authenticated, graphql(anonymous, 'open'))).toBe(true);
  });

  it('GraphQL: a mutation over POST needs the CSRF token', async () => {
    const post = Object.assign(Object.create(signedIn.req) as Request, { method: 'POST' });
    expect(await decide(csrf, graphql(post))).toBe(403);
    post.headers = { ...signedIn.req.headers, 'x-csrf-token': signedIn.csrf };
    expect(await decide(csrf, graphql(post))).toBe(true);
    expect(await decide(csrf, graphql({ method: 'POST', headers: {} }))).toBe(false);
  });

  it('WebSocket: decides on the handshake request kept on the client', async () => {
    expect(await decide(authenticated, ws({ request: signedIn.req }))).toBe(true);
    expect(await decide(authenticated, ws({ upgradeReq: signedIn.req }))).toBe(true);
    expect(await decide(authenticated, ws({ request: anonymous }))).toBe(401);
    expect(await decide(authenticated, ws({}))).toBe(false);
    expect(await decide(authenticated, ws({ request: { headers: {} } }))).toBe(false);
  });

  it('WebSocket: every message needs the CSRF token (the handshake GET proves nothing)', async () => {
    expect(await decide(csrf, ws({ request: signedIn.req }, { text: 'hi' }))).toBe(403);
    expect(
      await decide(csrf, ws({ request: signedIn.req }, { text: 'hi', _csrf: signedIn.csrf })),
    ).toBe(true);
    expect(await decide(csrf, ws({ request: signedIn.req }, { _csrf: 'wrong' }))).toBe(403);
    expect(await decide(csrf, ws({}, { _csrf: signedIn.csrf }))).toBe(false);
    expect(await decide(csrf, ws({}, {}, 'open'))).toBe(true);
  });

  it('an unknown context type is denied by both guards', async () => {
    for (const type of ['rpc', 'custom-transport']) {
      const context = contextOf(type, [{ req: signedIn.req }, {}]);
      expect(await decide(authenticated, context)).toBe(false);
      expect(await decide(csrf, context)).toBe(false);
    }
  });
});
