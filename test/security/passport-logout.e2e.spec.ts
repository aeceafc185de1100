import {
  Body,
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
import { SessionService } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createTestApp } from '../support/test-app.js';
import { bootPassportApp, LoginGuard, type User } from './passport-app.js';

const redis = useStandalone();

@Controller('p')
class ShopController {
  constructor(private readonly sessions: SessionService) {}

  /** Sign-in without passport: SessionService keeps what the visitor did before. */
  @Post('service-sign-in')
  @HttpCode(200)
  async serviceSignIn(@Body() body: { id: string }) {
    await this.sessions.signIn({ id: body.id });
    return { ok: true };
  }

  @Post('service-sign-out')
  @HttpCode(200)
  async serviceSignOut(@Body() body: { keepData?: boolean }) {
    await this.sessions.signOut(undefined, { keepData: body.keepData });
    return { ok: true };
  }

  @Put('cart')
  cart(@Req() req: Request) {
    req.session.wishlist = ['book'];
    return { ok: true };
  }

  @Post('login')
  @HttpCode(200)
  @UseGuards(LoginGuard)
  login(@Req() req: Request) {
    return { user: req.user };
  }

  /** What a signed-in user leaves in the session: a step-up flag and a profile. */
  @Put('mfa')
  mfa(@Req() req: Request) {
    req.session.mfaPassed = true;
    req.session.profile = { name: (req.user as User).id, iban: 'DE89-alice' };
    return { ok: true };
  }

  @Get('me')
  me(@Req() req: Request) {
    return { user: req.user ?? null, principal: req.session.principal, data: { ...req.session } };
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

describe('passport logout then another login in the same browser (real Redis)', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await bootPassportApp(redis().url, 'ppl:', ShopController);
  });
  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  it('alice logs in, passes MFA, logs out; bob logs in: no trace of alice', async () => {
    const jar = new CookieJar();
    jar.take(
      await http().post('/p/login').send({ username: 'alice', password: 'right' }).expect(200),
    );
    jar.take(await http().put('/p/mfa').set('cookie', jar.header).expect(200));
    const alice = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(alice.body.data).toMatchObject({ mfaPassed: true, passport: { user: 'alice' } });

    jar.take(await http().post('/p/logout').set('cookie', jar.header).expect(200));
    const loggedOut = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(loggedOut.body.user).toBeNull();
    expect(loggedOut.body.data.mfaPassed).toBeUndefined();
    expect(JSON.stringify(loggedOut.body)).not.toContain('alice');

    jar.take(
      await http()
        .post('/p/login')
        .set('cookie', jar.header)
        .send({ username: 'bob', password: 'right' })
        .expect(200),
    );
    const bob = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(bob.body).toEqual({ user: { id: 'bob' }, data: { passport: { user: 'bob' } } });
  });

  it('SessionService.signIn keeps the data; signOut() empties it by default', async () => {
    const jar = new CookieJar();
    jar.take(await http().put('/p/cart').expect(200));
    jar.take(
      await http().post('/p/service-sign-in').set('cookie', jar.header).send({ id: 'carol' }),
    );
    const carol = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(carol.body).toMatchObject({ principal: { id: 'carol' }, data: { wishlist: ['book'] } });

    jar.take(
      await http().post('/p/service-sign-out').set('cookie', jar.header).send({}).expect(200),
    );
    jar.take(
      await http().post('/p/service-sign-in').set('cookie', jar.header).send({ id: 'dave' }),
    );
    const dave = await http().get('/p/me').set('cookie', jar.header).expect(200);
    expect(dave.body).toEqual({ user: null, principal: { id: 'dave' }, data: {} });
  });
});

describe('req.session.regenerate() as in express-session (real Redis)', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createTestApp({ redis: redis().url, prefix: 'regen-default:' });
  });
  afterAll(async () => {
    await app.close();
  });

  async function sessionWith(data: object) {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).put('/t/set').send(data).expect(200));
    return jar;
  }

  it('by default: new token, empty data, old token dead', async () => {
    const jar = await sessionWith({ mfa: true, cart: ['a'] });
    const old = jar.header;
    jar.take(
      await request(app.getHttpServer())
        .post('/t/regenerate')
        .set('cookie', old)
        .send({})
        .expect(201),
    );
    expect(jar.header).not.toBe(old);
    const now = await request(app.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(now.body.data).toEqual({});
    const stale = await request(app.getHttpServer()).get('/t/read').set('cookie', old);
    expect(stale.body.isNew).toBe(true);
    expect(stale.body.data).toEqual({});
  });

  it('{ keepData: true } keeps the data under the new token', async () => {
    const jar = await sessionWith({ cart: ['a'] });
    const old = jar.header;
    jar.take(
      await request(app.getHttpServer())
        .post('/t/regenerate')
        .set('cookie', old)
        .send({ keepData: true })
        .expect(201),
    );
    const now = await request(app.getHttpServer()).get('/t/read').set('cookie', jar.header);
    expect(now.body.data).toEqual({ cart: ['a'] });
  });
});
