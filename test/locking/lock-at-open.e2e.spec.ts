import {
  Controller,
  Get,
  HttpCode,
  Module,
  Param,
  Post,
  Put,
  Body,
  UseGuards,
  VersioningType,
} from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  AuthenticatedGuard,
  Session,
  SessionLock,
  SessionService,
  type TypedSession,
} from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { type MonitoredCommand, RedisMonitor } from '../support/redis-monitor.js';

/*
 * A @SessionLock() route opens its session under the lock: the lock and the load (with the
 * fence raised) are one script, the commit releases the lock, two round trips in all. The routes
 * are found by scanning the controllers, so the paths Nest builds in other ways are tried here:
 * global prefix, URI versions, RouterModule paths, controller path lists, route parameters.
 */

const increment = (session: TypedSession) => {
  session.counter = ((session.counter as number | undefined) ?? 0) + 1;
  return { value: session.counter };
};

@Controller(['cart', 'basket'])
class CartController {
  @Put('set')
  set(@Session() session: TypedSession, @Body() body: Record<string, unknown>) {
    Object.assign(session, body);
    return { ok: true };
  }

  @Post(':id/lines')
  @HttpCode(200)
  @SessionLock()
  addLine(@Param('id') id: string, @Session() session: TypedSession) {
    return { id, ...increment(session) };
  }

  /** The same path as the locked route, another method: no lock. */
  @Get(':id/lines')
  lines(@Session() session: TypedSession) {
    return { value: session.counter ?? 0 };
  }

  @Post('guarded')
  @HttpCode(200)
  @UseGuards(AuthenticatedGuard)
  @SessionLock()
  guarded(@Session() session: TypedSession) {
    return increment(session);
  }

  /** Locked in code, not by the route: the lock is taken after the session was loaded. */
  @Post('with-lock')
  @HttpCode(200)
  withLock() {
    return this.sessions.withLock(async (locked) => increment(locked));
  }

  /**
   * Locked in code after the session was deleted from the store behind the request's back (as
   * when another server destroys it between this request's load and its lock).
   */
  @Post('with-lock-gone')
  @HttpCode(200)
  async withLockGone() {
    const sessionKeys = (await admin.keys('open:*')).filter((key) => !key.endsWith(':lock'));
    if (sessionKeys.length > 0) await admin.del(...sessionKeys);
    return this.sessions.withLock(async (locked) => ({
      seen: { ...locked },
      ...increment(locked),
    }));
  }

  constructor(private readonly sessions: SessionService) {}
}

@Controller({ path: 'counter', version: '2' })
@SessionLock({ durationMs: 5000 })
class VersionedCounterController {
  @Post('bump')
  @HttpCode(200)
  bump(@Session() session: TypedSession) {
    return increment(session);
  }
}

@Controller('routed')
class RoutedController {
  @Post('bump')
  @HttpCode(200)
  @SessionLock()
  bump(@Session() session: TypedSession) {
    return increment(session);
  }
}

@Module({ controllers: [RoutedController] })
class RoutedModule {}

const redis = useStandalone();
let app: SessionApp;
let monitor: RedisMonitor;
let admin: Redis;

beforeAll(async () => {
  app = await bootSessionApp({
    // Global, so that the routed module's controller can inject what @SessionLock() needs.
    options: { redis: redis().url, prefix: 'open:', isGlobal: true },
    controllers: [CartController, VersionedCounterController],
    imports: [RoutedModule, RouterModule.register([{ path: 'mod', module: RoutedModule }])],
    configure: (nest) => {
      nest.setGlobalPrefix('api');
      nest.enableVersioning({ type: VersioningType.URI });
    },
  });
  // Loads every script into Redis first (a script's first call is an EVAL), so the commands
  // counted below are what every later request sends.
  const jar = await newSession();
  for (const path of ['/api/cart/7/lines', '/api/cart/with-lock']) {
    await request(app.http).post(path).set('cookie', jar.header).expect(200);
  }
  monitor = await RedisMonitor.start(redis().url);
  admin = new Redis(redis().url);
});
afterAll(async () => {
  await monitor.stop();
  await admin.quit();
  await app.close();
});

async function newSession(): Promise<CookieJar> {
  const jar = new CookieJar();
  jar.take(await request(app.http).put('/api/cart/set').send({ counter: 1 }).expect(200));
  return jar;
}

/** `[name, numkeys]` of each command: the lock-then-load script names two keys, load one. */
const shapes = (commands: readonly MonitoredCommand[]) =>
  commands.map((command) => [command.name, command.args[1]]);

const LOCKED_AT_OPEN = [
  ['evalsha', '2'],
  ['evalsha', '3'],
];

describe('a @SessionLock() route opens its session under the lock', () => {
  it.each([
    ['a method of a controller with a path list and a parameter', '/api/cart/7/lines'],
    ['the second path of the list', '/api/basket/7/lines'],
    ['a locked controller under a URI version', '/api/v2/counter/bump'],
    ['a module under a RouterModule path', '/api/mod/routed/bump'],
  ])('%s (%s): lock with load, then commit', async (_name, path) => {
    const jar = await newSession();
    const commands = await monitor.during(() =>
      request(app.http).post(path).set('cookie', jar.header).expect(200),
    );
    expect(shapes(commands)).toEqual(LOCKED_AT_OPEN);
    const read = await request(app.http).get('/api/cart/7/lines').set('cookie', jar.header);
    expect(read.body).toEqual({ value: 2 });
  });

  it('the same path with an unlocked method loads without the lock', async () => {
    const jar = await newSession();
    const commands = await monitor.during(() =>
      request(app.http).get('/api/cart/7/lines').set('cookie', jar.header).expect(200),
    );
    expect(shapes(commands)).toEqual([['evalsha', '1']]);
  });

  it('withLock() in code takes the lock after the load, and reloads in the same script: load, lock with load and fence, commit', async () => {
    const jar = await newSession();
    const commands = await monitor.during(() =>
      request(app.http).post('/api/cart/with-lock').set('cookie', jar.header).expect(200),
    );
    // The request's load (session key), then the lock-then-load script (session and lock keys),
    // then the commit that releases the lock (session, target and lock keys).
    expect(shapes(commands)).toEqual([['evalsha', '1'], ...LOCKED_AT_OPEN]);
    expect(await admin.keys('open:*:lock')).toEqual([]);
  });

  it('withLock() on a session deleted meanwhile runs on an empty session, holds no lock and does not bring it back', async () => {
    const jar = await newSession();
    const response = await request(app.http)
      .post('/api/cart/with-lock-gone')
      .set('cookie', jar.header)
      .expect(200);
    // The work saw the session as the store has it (gone: empty); its write is not a new session.
    expect(response.body).toEqual({ seen: {}, value: 1 });
    expect(String(response.headers['set-cookie'])).toMatch(/^sid=;.*Expires=Thu, 01 Jan 1970/);
    // No session came back and no lock is left behind.
    expect(await admin.keys('open:*')).toEqual([]);
  });

  it('releases the lock when a guard refuses the request, before the response', async () => {
    const jar = await newSession();
    await request(app.http).post('/api/cart/guarded').set('cookie', jar.header).expect(401);
    // The refusal went out after the release: nothing is left locked for the next request.
    expect(await admin.keys('open:*:lock')).toEqual([]);
    const commands = await monitor.during(() =>
      request(app.http).post('/api/cart/7/lines').set('cookie', jar.header).expect(200),
    );
    expect(shapes(commands)).toEqual(LOCKED_AT_OPEN);
  });

  it('a request with no session takes no lock and creates the session', async () => {
    const jar = new CookieJar();
    jar.take(await request(app.http).post('/api/cart/7/lines').expect(200, { id: '7', value: 1 }));
    expect(await admin.keys('open:*:lock')).toEqual([]);
    const read = await request(app.http).get('/api/cart/7/lines').set('cookie', jar.header);
    expect(read.body).toEqual({ value: 1 });
  });

  it('a lock held elsewhere is waited for at open, and its holder’s write is read', async () => {
    const jar = await newSession();
    // Two locked increments at once: the second opens only once the first released the lock,
    // so it reads 2 and writes 3; a load before the lock would have read 1 and been refused.
    const [a, b] = await Promise.all([
      request(app.http).post('/api/cart/7/lines').set('cookie', jar.header),
      request(app.http).post('/api/mod/routed/bump').set('cookie', jar.header),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.value, b.body.value].sort()).toEqual([2, 3]);
    const read = await request(app.http).get('/api/cart/7/lines').set('cookie', jar.header);
    expect(read.body).toEqual({ value: 3 });
  });
});

describe('with lock.quorum (redlock on other masters; here a second client of the same Redis)', () => {
  let quorumApp: SessionApp;
  let quorumClient: Redis;

  beforeAll(async () => {
    quorumClient = new Redis(redis().url);
    quorumApp = await bootSessionApp({
      options: { redis: redis().url, prefix: 'open-q:', lock: { quorum: [quorumClient] } },
      controllers: [CartController],
      configure: (nest) => {
        nest.setGlobalPrefix('api');
      },
    });
    const jar = new CookieJar();
    jar.take(await request(quorumApp.http).put('/api/cart/set').send({ counter: 1 }));
    for (const path of ['/api/cart/7/lines', '/api/cart/with-lock']) {
      await request(quorumApp.http).post(path).set('cookie', jar.header).expect(200);
    }
  });
  afterAll(async () => {
    await quorumApp.close();
    await quorumClient.quit();
  });

  it.each([
    // redlock's lock; the load under it with the fence; the commit; redlock's release.
    ['a @SessionLock() route', '/api/cart/7/lines', 4],
    // The load before the lock comes first.
    ['withLock() in code', '/api/cart/with-lock', 5],
  ])('%s: %s costs %s round trips', async (_name, path, expected) => {
    const jar = new CookieJar();
    jar.take(await request(quorumApp.http).put('/api/cart/set').send({ counter: 1 }));
    const commands = await monitor.during(() =>
      request(quorumApp.http).post(path).set('cookie', jar.header).expect(200),
    );
    expect(commands.length).toBe(expected);
  });
});

describe('a locked route whose session fails its fingerprint check', () => {
  let boundApp: SessionApp;

  beforeAll(async () => {
    boundApp = await bootSessionApp({
      options: { redis: redis().url, prefix: 'open-fp:', fingerprint: {} },
      controllers: [CartController],
    });
  });
  afterAll(() => boundApp.close());

  it('releases the lock it took at open before answering with a fresh session', async () => {
    const jar = new CookieJar();
    jar.take(
      await request(boundApp.http)
        .put('/cart/set')
        .set('user-agent', 'victim-browser/1.0')
        .send({ counter: 5 })
        .expect(200),
    );
    // Another client presents the cookie: the session was loaded under the lock, then refused.
    const stolen = await request(boundApp.http)
      .post('/cart/7/lines')
      .set('user-agent', 'attacker-tool/9.9')
      .set('cookie', jar.header)
      .expect(200);
    expect(stolen.body.value).toBe(1);
    expect(await admin.keys('open-fp:*:lock')).toEqual([]);
  });
});
