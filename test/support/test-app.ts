import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  type INestApplication,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import {
  Session,
  SessionLock,
  SessionOptimistic,
  type SessionModuleOptions,
  SessionService,
  type TypedSession,
} from '../../src/index.js';
import { bootSessionApp } from './boot-session-app.js';

/** Routes that exercise the session the way apps do. */
@Controller('t')
export class SessionTestController {
  constructor(private readonly sessions: SessionService) {}

  @Get('read')
  read(@Session() session: TypedSession) {
    return { id: session.id, isNew: session.isNew, data: { ...session } };
  }

  /** Sets the body's keys; `?delay=ms` waits first, to hold concurrent requests in flight. */
  @Put('set')
  async set(
    @Req() request: Request,
    @Body() body: Record<string, unknown>,
    @Query('delay') delay?: string,
  ) {
    if (delay) await new Promise((resolve) => setTimeout(resolve, Number(delay)));
    Object.assign(request.session, body);
    return { ok: true };
  }

  @Post('bigint')
  bigint(@Session() session: TypedSession) {
    session.bad = 10n;
    return { ok: true };
  }

  @Post('push')
  push(@Session() session: TypedSession, @Body() body: { item: string }) {
    const list = (session.list as string[] | undefined) ?? [];
    session.list = list;
    list.push(body.item);
    return { list };
  }

  @Post('increment')
  increment(@Session() session: TypedSession) {
    session.counter = ((session.counter as number | undefined) ?? 0) + 1;
    return { value: session.counter };
  }

  @Post('locked-increment')
  @HttpCode(200)
  @SessionLock()
  lockedIncrement(@Session() session: TypedSession) {
    session.counter = ((session.counter as number | undefined) ?? 0) + 1;
    return { value: session.counter };
  }

  /** The same increment, locked in code: the session is loaded first, then reloaded under the lock. */
  @Post('with-lock-increment')
  @HttpCode(200)
  async withLockIncrement() {
    const value = await this.sessions.withLock((session) => {
      session.counter = ((session.counter as number | undefined) ?? 0) + 1;
      return session.counter;
    });
    return { value };
  }

  @Post('optimistic-increment')
  @HttpCode(200)
  async optimisticIncrement() {
    const value = await this.sessions.withRetry(
      (session) => {
        session.counter = ((session.counter as number | undefined) ?? 0) + 1;
        return session.counter;
      },
      { attempts: 1000 },
    );
    return { value };
  }

  @Post('optimistic-set')
  @HttpCode(200)
  @SessionOptimistic()
  async optimisticSet(
    @Req() request: Request,
    @Body() body: Record<string, unknown>,
    @Query('delay') delay?: string,
  ) {
    if (delay) await new Promise((resolve) => setTimeout(resolve, Number(delay)));
    Object.assign(request.session, body);
    return { ok: true };
  }

  /** Holds a short lock without extending it for `ms`, then writes: a holder that overruns. */
  @Post('overrun-lock')
  @HttpCode(200)
  @SessionLock({ durationMs: 200, autoExtend: false })
  async overrunLock(@Session() session: TypedSession, @Body() body: { owner: string; ms: number }) {
    await new Promise((resolve) => setTimeout(resolve, body.ms));
    session.owner = body.owner;
    return { owner: body.owner };
  }

  /** A lock holder that keeps the lock (extended) for `ms`. */
  @Post('hold-lock')
  @HttpCode(200)
  @SessionLock()
  async holdLock(@Body() body: { ms: number }) {
    await new Promise((resolve) => setTimeout(resolve, body.ms));
    return { held: body.ms };
  }

  /** Gives up on the lock after two short retries. */
  @Post('impatient-lock')
  @HttpCode(200)
  @SessionLock({ retryCount: 2, retryDelayMs: 20, retryJitterMs: 0 })
  impatientLock() {
    return { got: true };
  }

  @Delete('key')
  @HttpCode(204)
  removeKey(@Session() session: TypedSession, @Body() body: { key: string }) {
    delete session[body.key];
  }

  @Post('sign-in')
  async signIn(@Body() body: { id: string }) {
    await this.sessions.signIn({ id: body.id });
    return { principal: this.sessions.current().principal };
  }

  @Post('destroy')
  @HttpCode(204)
  async destroy() {
    await this.sessions.destroy();
  }

  @Post('regenerate')
  async regenerate(@Body() body: { keepData?: boolean }) {
    await this.sessions.regenerate({ keepData: body.keepData });
    return { id: this.sessions.current().id };
  }
}

/** The session routes above, booted by {@link bootSessionApp}. */
export async function createTestApp(
  options: Partial<SessionModuleOptions> = {},
): Promise<INestApplication> {
  return (await bootSessionApp({ options, controllers: [SessionTestController] })).app;
}
