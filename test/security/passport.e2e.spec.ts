import {
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Post,
  Put,
  Req,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { bootPassportApp, LoginGuard } from './passport-app.js';

const redis = useStandalone();

@Controller('p')
class PassportController {
  @Put('cart')
  cart(@Req() req: Request) {
    req.session.basket = ['book'];
    return { ok: true };
  }

  @Post('login')
  @HttpCode(200)
  @UseGuards(LoginGuard)
  login(@Req() req: Request) {
    return { user: req.user };
  }

  @Get('me')
  me(@Req() req: Request) {
    return { user: req.user ?? null, basket: req.session.basket ?? null };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request) {
    await new Promise<void>((resolve, reject) =>
      req.logout((error: unknown) => (error ? reject(error) : resolve())),
    );
    return { user: req.user ?? null };
  }
}

describe('passport (req.login / req.logout) on this session, real Redis', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await bootPassportApp(redis().url, 'pp:', PassportController);
  });
  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  it('req.login regenerates the token (pre-login token dead, data emptied as in express-session) and req.logout too', async () => {
    const jar = new CookieJar();
    jar.take(await http().put('/p/cart').send({}).expect(200));
    const beforeLogin = jar.header;

    const wrong = await http()
      .post('/p/login')
      .set('cookie', beforeLogin)
      .send({ username: 'alice', password: 'wrong' });
    expect(wrong.status).toBe(401);

    const login = await http()
      .post('/p/login')
      .set('cookie', beforeLogin)
      .send({ username: 'alice', password: 'right' })
      .expect(200);
    jar.take(login);
    expect(login.body.user).toEqual({ id: 'alice' });
    expect(jar.header).not.toBe(beforeLogin);

    // passport regenerates without keepSessionInfo: the new session starts empty.
    const me = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(me.body).toEqual({ user: { id: 'alice' }, basket: null });

    // The token from before the login no longer reaches the session.
    const fixated = await http().get('/p/me').set('cookie', beforeLogin).expect(200);
    expect(fixated.body).toEqual({ user: null, basket: null });

    const signedIn = jar.header;
    const logout = await http().post('/p/logout').set('cookie', signedIn).expect(200);
    jar.take(logout);
    expect(logout.body.user).toBeNull();
    expect(jar.header).not.toBe(signedIn);
    const after = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(after.body.user).toBeNull();
    // The signed-in token died at logout.
    const stale = await http().get('/p/me').set('cookie', signedIn).expect(200);
    expect(stale.body.user).toBeNull();
  });
});
