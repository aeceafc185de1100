import {
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { AuthenticatedGuard, SessionService } from 'nestjs-distributed-session';

/** "Your devices": the signed-in user's sessions, revoke one, sign out everywhere else. */
@Controller('api/sessions')
@UseGuards(AuthenticatedGuard)
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  async list() {
    const sessions = await this.sessions.listSessions();
    return sessions.map((session) => ({
      handle: session.handle,
      current: session.current,
      createdAt: session.createdAt.toISOString(),
      lastSeenAt: session.lastSeenAt.toISOString(),
      userAgent: session.userAgent ?? 'Unknown browser',
    }));
  }

  @Delete(':handle')
  @HttpCode(204)
  async revoke(@Param('handle') handle: string): Promise<void> {
    if (!(await this.sessions.revokeSession(handle))) {
      throw new NotFoundException('No such session among yours');
    }
  }

  @Post('revoke-others')
  @HttpCode(204)
  async revokeOthers(): Promise<void> {
    await this.sessions.revokeOtherSessions();
  }
}
