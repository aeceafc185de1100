import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  AllowAnonymous,
  Session,
  type SessionPrincipal,
  SessionService,
  SkipCsrf,
  type TypedSession,
} from '../index.js';

/** The path of the testing routes (under the app's global prefix, if it sets one). */
export const SESSION_TESTING_PATH = '__session-testing';

/** What the testing routes answer: the session as the engine sees it. */
export interface SessionTestingSnapshot {
  readonly id: string;
  readonly principal: SessionPrincipal | null;
  readonly data: Record<string, unknown>;
}

function snapshot(session: TypedSession): SessionTestingSnapshot {
  return { id: session.id, principal: session.principal ?? null, data: { ...session } };
}

/**
 * Routes that only {@link SessionTestingModule} registers: they sign in and seed through the real
 * engine (regenerate, principal index, commit), so a test starts from the state a real sign-in
 * leaves. Guards of the app (CSRF, authentication) let them through.
 */
@Controller(SESSION_TESTING_PATH)
@SkipCsrf()
@AllowAnonymous()
export class SessionTestingController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  read(@Session() session: TypedSession): SessionTestingSnapshot {
    return snapshot(session);
  }

  @Put()
  seed(
    @Session() session: TypedSession,
    @Body() data: Record<string, unknown>,
  ): SessionTestingSnapshot {
    Object.assign(session, data);
    return snapshot(session);
  }

  @Post('sign-in')
  @HttpCode(200)
  async signIn(
    @Session() session: TypedSession,
    @Body() body: { principal: SessionPrincipal; data?: Record<string, unknown> },
  ): Promise<SessionTestingSnapshot> {
    Object.assign(session, body.data ?? {});
    await this.sessions.signIn(body.principal, session);
    return snapshot(session);
  }
}
