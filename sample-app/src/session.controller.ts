import { Controller, Get } from '@nestjs/common';
import { Session, SessionService, type TypedSession } from 'nestjs-distributed-session';

@Controller('api/session')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  /** The state of the current session; createdAt/expiresAt are null until it is first saved. */
  @Get()
  state(@Session() session: TypedSession) {
    const principal = session.principal;
    return {
      authenticated: principal !== undefined,
      user: principal ? { name: principal.name } : null,
      createdAt: session.createdAt?.toISOString() ?? null,
      expiresAt: session.expiresAt?.toISOString() ?? null,
      csrfToken: this.sessions.csrfToken(),
    };
  }
}
