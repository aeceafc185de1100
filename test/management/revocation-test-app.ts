import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  type INestApplication,
  NotFoundException,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { Cluster, Redis } from 'ioredis';
import request from 'supertest';
import {
  MemorySessionStore,
  RedisSessionStore,
  type SessionModuleOptions,
  SessionService,
} from '../../src/index.js';
import type { RedisEndpoint } from '../harness/types.js';
import { CookieJar } from '../support/cookie-jar.js';
import { GatedStore } from '../support/gated-store.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { type RecordedEvent, recordAllEvents } from './management-test-app.js';

/** Sign-in, sign-out, destroy and the revocation calls, as an app would expose them. */
@Controller('r')
class RevocationTestController {
  constructor(private readonly sessions: SessionService) {}

  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Body() body: { id: string }) {
    await this.sessions.signIn({ id: body.id });
    return { id: this.sessions.current().id };
  }

  @Post('sign-out')
  @HttpCode(200)
  async signOut() {
    await this.sessions.signOut();
    return { ok: true };
  }

  @Post('regenerate')
  @HttpCode(200)
  async regenerate() {
    // As passport's logout does: req.session.regenerate(), data emptied.
    await this.sessions.regenerate();
    return { ok: true };
  }

  @Get('me')
  me() {
    const session = this.sessions.current();
    return { id: session.id, isNew: session.isNew, principal: session.principal ?? null };
  }

  @Put('set')
  set(@Req() req: Request, @Body() body: Record<string, unknown>) {
    Object.assign(req.session, body);
    return { ok: true };
  }

  @Post('destroy')
  @HttpCode(204)
  async destroy() {
    await this.sessions.destroy();
  }

  @Get('sessions')
  list() {
    return this.sessions.listSessions();
  }

  @Delete('sessions/:handle')
  @HttpCode(204)
  async revoke(@Param('handle') handle: string) {
    if (!(await this.sessions.revokeSession(handle))) throw new NotFoundException();
  }

  @Post('revoke-others')
  @HttpCode(200)
  async revokeOthers() {
    return { revoked: await this.sessions.revokeOtherSessions() };
  }

  /** Admin: "sign this user out everywhere". */
  @Post('revoke-all/:principal')
  @HttpCode(200)
  async revokeAll(@Param('principal') principal: string) {
    return { revoked: await this.sessions.revokeAllSessions(principal) };
  }
}

/** Where the sessions live: the memory store, standalone Redis or a Cluster. */
export type StoreKind =
  | { readonly kind: 'memory' }
  | { readonly kind: 'standalone'; readonly url: () => string }
  | { readonly kind: 'cluster'; readonly nodes: () => readonly RedisEndpoint[] };

let prefixCounter = 0;

/** A real store of `kind` (a fresh prefix each time), wrapped so a test can gate or fail calls. */
export function gatedStoreOf(kind: StoreKind): GatedStore {
  if (kind.kind === 'memory') return new GatedStore(new MemorySessionStore());
  prefixCounter += 1;
  const prefix = `rv${process.pid}-${prefixCounter}:`;
  const client =
    kind.kind === 'standalone'
      ? new Redis(kind.url())
      : new Cluster(kind.nodes().map(({ host, port }) => ({ host, port })));
  return new GatedStore(new RedisSessionStore({ client, prefix, ownsClient: true }));
}

export interface RevocationApp {
  readonly app: INestApplication;
  readonly store: GatedStore;
  readonly events: RecordedEvent[];
  close(): Promise<void>;
}

/** Boots a real Nest app whose sessions live in a gated real store. */
export async function createRevocationApp(
  kind: StoreKind,
  options: Partial<SessionModuleOptions> = {},
): Promise<RevocationApp> {
  const store = gatedStoreOf(kind);
  let events: RecordedEvent[] = [];
  const booted = await bootSessionApp({
    options: { store, ...options },
    controllers: [RevocationTestController],
    configure: (nest) => {
      events = recordAllEvents(nest);
    },
    logger: false,
  });
  return {
    app: booted.app,
    store,
    events,
    close: async () => {
      await booted.close();
      await store.close();
    },
  };
}

/** One browser of the test: its cookies. */
export class Browser {
  readonly jar = new CookieJar();
  constructor(private readonly app: () => INestApplication) {}

  /** A second tab of the same browser: the same cookies, from now on kept apart. */
  clone(): Browser {
    const twin = new Browser(this.app);
    for (const pair of this.jar.header.split('; ').filter(Boolean)) {
      const eq = pair.indexOf('=');
      twin.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return twin;
  }

  private get server() {
    return this.app().getHttpServer();
  }

  signIn(id: string): Promise<request.Response> {
    return request(this.server)
      .post('/r/sign-in')
      .set('cookie', this.jar.header)
      .send({ id })
      .then((response) => this.take(response));
  }

  signOut(): Promise<request.Response> {
    return request(this.server)
      .post('/r/sign-out')
      .set('cookie', this.jar.header)
      .then((response) => this.take(response));
  }

  regenerate(): Promise<request.Response> {
    return request(this.server)
      .post('/r/regenerate')
      .set('cookie', this.jar.header)
      .then((response) => this.take(response));
  }

  destroy(): Promise<request.Response> {
    return request(this.server)
      .post('/r/destroy')
      .set('cookie', this.jar.header)
      .then((response) => this.take(response));
  }

  set(body: Record<string, unknown>): Promise<request.Response> {
    return request(this.server)
      .put('/r/set')
      .set('cookie', this.jar.header)
      .send(body)
      .then((response) => this.take(response));
  }

  /** Who this browser is signed in as (`null`: anonymous), with its cookie as it is now. */
  async principal(): Promise<string | null> {
    const response = await request(this.server).get('/r/me').set('cookie', this.jar.header);
    this.take(response);
    expect(response.status).toBe(200);
    return (response.body.principal as { id: string } | null)?.id ?? null;
  }

  /** The public id (handle) of this browser's session. */
  async principalHandle(): Promise<string> {
    const response = await request(this.server).get('/r/me').set('cookie', this.jar.header);
    return response.body.id as string;
  }

  /** Who a request with `cookie` is signed in as; the jar is not touched. */
  async principalWith(cookie: string): Promise<string | null> {
    const response = await request(this.server).get('/r/me').set('cookie', cookie);
    expect(response.status).toBe(200);
    return (response.body.principal as { id: string } | null)?.id ?? null;
  }

  // Each call is sent at once (a supertest request waits for `then` otherwise).
  list(): Promise<request.Response> {
    return request(this.server)
      .get('/r/sessions')
      .set('cookie', this.jar.header)
      .then((response) => response);
  }

  revoke(handle: string): Promise<request.Response> {
    return request(this.server)
      .delete(`/r/sessions/${encodeURIComponent(handle)}`)
      .set('cookie', this.jar.header)
      .then((response) => response);
  }

  revokeOthers(): Promise<request.Response> {
    return request(this.server)
      .post('/r/revoke-others')
      .set('cookie', this.jar.header)
      .then((response) => response);
  }

  private take(response: request.Response): request.Response {
    this.jar.take(response);
    return response;
  }
}

/** Admin: revokes every session of `principal`. */
export function revokeAll(app: INestApplication, principal: string): Promise<request.Response> {
  return request(app.getHttpServer())
    .post(`/r/revoke-all/${encodeURIComponent(principal)}`)
    .then((response) => response);
}

let userCounter = 0;
/** A principal id no other case uses. */
export function freshPrincipal(): string {
  userCounter += 1;
  return `u${process.pid}-${Date.now()}-${userCounter}`;
}
