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
import {
  type SessionEventMap,
  type SessionEventName,
  SessionEvents,
  type SessionModuleOptions,
  SessionService,
} from '../../src/index.js';
import { bootSessionApp } from '../support/boot-session-app.js';

/** The routes a "your devices" page needs, as an app would write them. */
@Controller('m')
export class ManagementTestController {
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

  @Get('me')
  me() {
    const session = this.sessions.current();
    return { id: session.id, principal: session.principal ?? null, data: { ...session } };
  }

  @Put('set')
  set(@Req() request: Request, @Body() body: Record<string, unknown>) {
    Object.assign(request.session, body);
    return { ok: true };
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

  @Post('sessions/revoke-others')
  @HttpCode(200)
  async revokeOthers() {
    return { revoked: await this.sessions.revokeOtherSessions() };
  }

  @Post('destroy')
  @HttpCode(204)
  async destroy() {
    await this.sessions.destroy();
  }
}

/** Every event an app emitted, in order. */
export type RecordedEvent = {
  [K in SessionEventName]: { name: K; event: SessionEventMap[K] };
}[SessionEventName];

/** Every event `app` emits from now on, in order. */
export function recordAllEvents(app: INestApplication): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  app.get(SessionEvents).onAny((name, event) => {
    events.push({ name, event } as RecordedEvent);
  });
  return events;
}

/** The management routes, booted by {@link bootSessionApp}; `events` records what it emits. */
export async function createManagementApp(
  options: Partial<SessionModuleOptions> = {},
): Promise<{ app: INestApplication; events: RecordedEvent[] }> {
  let events: RecordedEvent[] = [];
  const { app } = await bootSessionApp({
    options,
    controllers: [ManagementTestController],
    configure: (nest) => {
      events = recordAllEvents(nest);
    },
  });
  return { app, events };
}
