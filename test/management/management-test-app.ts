import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  type INestApplication,
  Module,
  NotFoundException,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import {
  type SessionEventMap,
  type SessionEventName,
  SessionEvents,
  SessionModule,
  type SessionModuleOptions,
  SessionService,
} from '../../src/index.js';
import { TEST_SECRET } from '../support/test-app.js';

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

/** Boots a real Nest app with the management routes; `events` records what SessionEvents emits. */
export async function createManagementApp(
  options: Partial<SessionModuleOptions> = {},
): Promise<{ app: INestApplication; events: RecordedEvent[] }> {
  @Module({
    imports: [
      SessionModule.forRoot({ secrets: [TEST_SECRET], cookie: { secure: false }, ...options }),
    ],
    controllers: [ManagementTestController],
  })
  class ManagementTestModule {}

  const moduleRef = await Test.createTestingModule({ imports: [ManagementTestModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  const events: RecordedEvent[] = [];
  app.get(SessionEvents).onAny((name, event) => {
    events.push({ name, event } as RecordedEvent);
  });
  await app.listen(0, '127.0.0.1');
  return { app, events };
}
