import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import request from 'supertest';
import {
  AuthenticatedGuard,
  Session,
  SessionLock,
  SessionService,
  SkipSession,
  type TypedSession,
} from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { RedisMonitor } from '../support/redis-monitor.js';

@Controller('app')
class AppController {
  constructor(private readonly sessions: SessionService) {}

  @Post('visit')
  @HttpCode(200)
  visit(@Session() session: TypedSession) {
    session.visits = ((session.visits as number | undefined) ?? 0) + 1;
    return { visits: session.visits };
  }

  @Get('health')
  @SkipSession()
  health() {
    return { ok: true };
  }

  @Get('misused')
  @SkipSession()
  misused(@Session() session: TypedSession) {
    return { visits: session.visits };
  }

  @Get('current')
  @SkipSession()
  current() {
    return { visits: this.sessions.current().visits };
  }

  @Get('guarded')
  @SkipSession()
  @UseGuards(AuthenticatedGuard)
  guarded() {
    return { ok: true };
  }
}

@Controller('public')
@SkipSession()
class PublicController {
  @Get('catalogue')
  catalogue() {
    return { items: ['a', 'b'] };
  }
}

@Controller('both')
class ContradictoryController {
  @Post('x')
  @SkipSession()
  @SessionLock()
  x() {
    return {};
  }
}

const redis = useStandalone();
let app: SessionApp;
let monitor: RedisMonitor;
let jar: CookieJar;

beforeAll(async () => {
  app = await bootSessionApp({
    options: { redis: redis().url, prefix: 'skip:' },
    controllers: [AppController, PublicController],
  });
  monitor = await RedisMonitor.start(redis().url);
  jar = new CookieJar();
  jar.take(await request(app.http).post('/app/visit').expect(200, { visits: 1 }));
});
afterAll(async () => {
  await monitor.stop();
  await app.close();
});

describe('@SkipSession()', () => {
  it.each([
    ['a route', '/app/health', { ok: true }],
    ['a route of a skipped controller', '/public/catalogue', { items: ['a', 'b'] }],
  ])('on %s: no store command, no cookie, with a valid session cookie', async (_n, path, body) => {
    const commands = await monitor.during(async () => {
      const response = await request(app.http).get(path).set('cookie', jar.header).expect(200);
      expect(response.body).toEqual(body);
      expect(response.headers['set-cookie']).toBeUndefined();
    });
    expect(commands).toEqual([]);
  });

  it('leaves the other routes of the controller their session', async () => {
    await request(app.http).get('/app/health').set('cookie', jar.header).expect(200);
    await request(app.http).post('/app/visit').set('cookie', jar.header).expect(200, { visits: 2 });
  });

  it.each([
    ['@Session()', '/app/misused'],
    ['SessionService.current()', '/app/current'],
  ])('%s on a skipped route is an error, not an empty session', async (_n, path) => {
    const commands = await monitor.during(() =>
      request(app.http).get(path).set('cookie', jar.header).expect(500),
    );
    expect(commands).toEqual([]);
    // The session the cookie names is untouched: the next visit counts on from it.
    const next = await request(app.http).post('/app/visit').set('cookie', jar.header).expect(200);
    expect(next.body.visits).toBeGreaterThanOrEqual(3);
  });

  it('the library’s guards deny on a skipped route: there is no principal to see', async () => {
    await request(app.http).get('/app/guarded').set('cookie', jar.header).expect(401);
  });

  it('on a @SessionLock() route stops the boot, naming the route', async () => {
    await expect(
      bootSessionApp({ options: { prefix: 'skip-both:' }, controllers: [ContradictoryController] }),
    ).rejects.toThrow(
      /@SkipSession\(\) and @SessionLock\(\) both apply to ContradictoryController\.x/,
    );
  });
});
