import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { SessionService } from 'nestjs-distributed-session';
import { checkDemoCredentials } from './demo-users.js';
import { LoginDto } from './login.dto.js';

@Controller('api/auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  /** Signs in and regenerates the session token: the pre-login token is dead afterwards. */
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto) {
    const name = checkDemoCredentials(body.username, body.password);
    if (!name) throw new UnauthorizedException('Wrong username or password');
    await this.sessions.signIn({ id: name, name });
    return { user: { name } };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(): Promise<void> {
    await this.sessions.destroy();
  }
}
