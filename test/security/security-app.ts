import {
  Body,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Post,
  UseGuards,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AllowAnonymous,
  AuthenticatedGuard,
  CsrfGuard,
  RequireRecentSignIn,
  Session,
  SessionEvents,
  type SessionEventMap,
  type SessionEventName,
  type SessionModuleOptions,
  SessionService,
  SkipCsrf,
  type TypedSession,
} from '../../src/index.js';
import { bootSessionApp, type SessionAppSpec } from '../support/boot-session-app.js';

/** Secrets long enough for the keyring; tests only. */
export const SECRET_A = 'security-test-secret-A-0123456789abcdefghij';
export const SECRET_B = 'security-test-secret-B-0123456789abcdefghij';

/** Routes of a session app with CSRF protection (global guard) and signed-in areas. */
@Controller('s')
export class SecurityTestController {
  constructor(private readonly sessions: SessionService) {}

  @Get('read')
  read(@Session() session: TypedSession) {
    return {
      id: session.id,
      isNew: session.isNew,
      principal: session.principal,
      data: { ...session },
    };
  }

  @Get('csrf')
  csrf() {
    return { token: this.sessions.csrfToken() };
  }

  @Post('set')
  @HttpCode(200)
  set(@Session() session: TypedSession, @Body() body: Record<string, unknown>) {
    Object.assign(session, body);
    delete session._csrf;
    return { ok: true };
  }

  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Body() body: { id: string }) {
    await this.sessions.signIn({ id: body.id });
    return { principal: this.sessions.current().principal, csrf: this.sessions.csrfToken() };
  }

  @Post('sign-out')
  @HttpCode(200)
  async signOut(@Body() body?: { keepData?: boolean }) {
    await this.sessions.signOut(undefined, { keepData: body?.keepData });
    return { ok: true };
  }

  @Post('webhook')
  @HttpCode(200)
  @SkipCsrf()
  webhook() {
    return { ok: true };
  }

  @Get('me')
  @UseGuards(AuthenticatedGuard)
  me(@Session() session: TypedSession) {
    return { principal: session.principal };
  }

  @Get('step-up')
  @RequireRecentSignIn(1500)
  stepUp() {
    return { ok: true };
  }
}

/** A controller guarded as a whole, with one anonymous route. */
@Controller('account')
@UseGuards(AuthenticatedGuard)
export class AccountTestController {
  @Get('open')
  @AllowAnonymous()
  open() {
    return { open: true };
  }

  @Get('closed')
  closed() {
    return { closed: true };
  }
}

/** The routes above with a global `CsrfGuard`, booted by {@link bootSessionApp}. */
export async function createSecurityApp(
  options: Partial<SessionModuleOptions> = {},
  platform: Pick<SessionAppSpec, 'trustProxy' | 'configure'> = {},
): Promise<INestApplication> {
  const booted = await bootSessionApp({
    options: { secrets: [SECRET_A], ...options },
    controllers: [SecurityTestController, AccountTestController],
    providers: [{ provide: APP_GUARD, useClass: CsrfGuard }],
    ...platform,
  });
  return booted.app;
}

/** Records the events of one kind an app emits. */
export function recordEvents<K extends SessionEventName>(
  app: INestApplication,
  name: K,
): SessionEventMap[K][] {
  const seen: SessionEventMap[K][] = [];
  app.get(SessionEvents).on(name, (event) => seen.push(event));
  return seen;
}
