import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  AuthenticatedGuard,
  Session,
  type SessionPrincipal,
  type TypedSession,
} from 'nestjs-distributed-session';

@Controller('api/me')
@UseGuards(AuthenticatedGuard)
export class MeController {
  @Get()
  me(@Session() session: TypedSession) {
    const principal = session.principal as SessionPrincipal;
    return { name: principal.name };
  }
}
