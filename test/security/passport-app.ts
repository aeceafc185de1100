import {
  type ExecutionContext,
  type INestApplication,
  Injectable,
  type Type,
  UnauthorizedException,
} from '@nestjs/common';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-local';
import { bootSessionApp } from '../support/boot-session-app.js';
import { SECRET_A } from './security-app.js';

export interface User {
  id: string;
}

/** passport-local: any user name, the password 'right'. */
@Injectable()
class LocalStrategy extends PassportStrategy(Strategy) {
  validate(username: string, password: string): User {
    if (password !== 'right') throw new UnauthorizedException();
    return { id: username };
  }
}

/** Authenticates with passport-local, then `req.login()`: passport's session login. */
@Injectable()
export class LoginGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const ok = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest());
    return ok;
  }
}

/**
 * An app with `@nestjs/passport` sessions on this library's session module, on real Redis: the
 * session module is global, so Nest runs its middleware before the root module's and
 * `req.session` exists when `passport.session()` runs.
 */
export async function bootPassportApp(
  redisUrl: string,
  prefix: string,
  controller: Type,
): Promise<INestApplication> {
  passport.serializeUser<string>((user, done) => done(null, (user as User).id));
  passport.deserializeUser<string>((id, done) => done(null, { id }));

  const booted = await bootSessionApp({
    options: { secrets: [SECRET_A], redis: redisUrl, prefix, isGlobal: true },
    imports: [PassportModule.register({ session: true })],
    controllers: [controller],
    providers: [LocalStrategy],
    middleware: (consumer) =>
      consumer.apply(passport.initialize(), passport.session()).forRoutes('{*path}'),
  });
  return booted.app;
}
