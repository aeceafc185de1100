import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Session, SessionLock, type TypedSession } from 'nestjs-distributed-session';

@Controller('api/counter')
export class CounterController {
  @Get()
  read(@Session() session: TypedSession) {
    return { value: session.counter ?? 0 };
  }

  /** Read-modify-write of one key: serialised across servers by the session lock. */
  @Post('increment')
  @HttpCode(200)
  @SessionLock()
  increment(@Session() session: TypedSession) {
    session.counter = (session.counter ?? 0) + 1;
    return { value: session.counter };
  }
}
