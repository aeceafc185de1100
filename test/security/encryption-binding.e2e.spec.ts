import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { createSecurityApp, recordEvents } from './security-app.js';

const redis = useStandalone();

const KEY = 'binding-key-0123456789abcdefghijklmnopqrstu';
const ATTACKER_UA = 'attacker-browser/6.6';
const VICTIM_UA = 'victim-browser/1.0';

/** The Redis key of a session from its public id (`tag.hash` → `prefix{tag}hash`). */
const redisKeyOf = (prefix: string, sessionId: string) => {
  const [tag, hash] = sessionId.split('.');
  return `${prefix}{${tag}}${hash}`;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An attacker with write access to Redis (but not to the app's keys) puts back values the
 * session held earlier, or edits the metadata security decisions read. With `encryption`, such a
 * session fails to open (a `decrypt` store error; the request gets a fresh session): writes can
 * delete a session, never revive an earlier principal or widen its rights.
 */
describe('encryption binds values to the token generation and authenticates metadata', () => {
  let raw: Redis;
  const apps: INestApplication[] = [];
  beforeAll(() => {
    raw = new Redis(redis().url);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    raw.disconnect();
  });

  async function appWith(prefix: string, extra: Partial<SessionModuleOptions> = {}) {
    const app = await createSecurityApp({
      redis: redis().url,
      prefix,
      encryption: { keys: [KEY] },
      ...extra,
    });
    apps.push(app);
    return app;
  }

  /** A browser: its cookie jar and CSRF token. */
  function browser(app: INestApplication, userAgent = VICTIM_UA) {
    const jar = new CookieJar();
    let csrf = '';
    const server = app.getHttpServer();
    return {
      jar,
      async start() {
        const response = await request(server).get('/s/csrf').set('user-agent', userAgent);
        jar.take(response);
        csrf = response.body.token as string;
      },
      async post(path: string, body: object) {
        const response = await request(server)
          .post(path)
          .set('user-agent', userAgent)
          .set('cookie', jar.header)
          .set('x-csrf-token', csrf)
          .send(body)
          .expect(200);
        jar.take(response);
        if (typeof response.body.csrf === 'string') csrf = response.body.csrf as string;
        if (path === '/s/sign-out') await this.refreshCsrf();
      },
      /** The CSRF token follows the token: fetch it again after the token changed. */
      async refreshCsrf() {
        const fresh = await request(server)
          .get('/s/csrf')
          .set('user-agent', userAgent)
          .set('cookie', jar.header);
        jar.take(fresh);
        csrf = fresh.body.token as string;
      },
      async read(cookie = jar.header) {
        const response = await request(server)
          .get('/s/read')
          .set('user-agent', userAgent)
          .set('cookie', cookie)
          .expect(200);
        return response.body as { id: string; isNew: boolean; principal?: object; data: object };
      },
    };
  }

  it('a principal put back after sign-out does not sign the session in again', async () => {
    const app = await appWith('bind1:');
    const errors = recordEvents(app, 'store-error');
    const user = browser(app);
    await user.start();
    await user.post('/s/sign-in', { id: 'alice' });
    const signedIn = await raw.hgetall(redisKeyOf('bind1:', (await user.read()).id));
    await user.post('/s/sign-out', {});
    const after = await user.read();
    expect(after.principal).toBeUndefined();

    await raw.hset(redisKeyOf('bind1:', after.id), { p: signedIn.p!, t: signedIn.t! });
    const replayed = await user.read();
    expect(replayed.principal).toBeUndefined();
    expect(replayed.isNew).toBe(true);
    expect(errors.map((event) => event.operation)).toEqual(['decrypt']);
  });

  it('a data value from before a regeneration does not open in the new generation', async () => {
    const app = await appWith('bind2:');
    const user = browser(app);
    await user.start();
    await user.post('/s/sign-in', { id: 'bob' });
    await user.post('/s/set', { mfa: 'passed' });
    const before = await raw.hgetall(redisKeyOf('bind2:', (await user.read()).id));
    await user.post('/s/sign-out', { keepData: true });
    // Sign-out sealed everything again for the new token: the data still opens there.
    expect((await user.read()).data).toEqual({ mfa: 'passed' });
    await user.post('/s/set', { mfa: 'revoked' });
    const now = await user.read();
    expect(now.data).toEqual({ mfa: 'revoked' });

    await raw.hset(redisKeyOf('bind2:', now.id), '.mfa', before['.mfa']!);
    const replayed = await user.read();
    expect(replayed.data).not.toEqual({ mfa: 'passed' });
    expect(replayed.isNew).toBe(true);
  });

  it('an edited signed-in time or absolute deadline makes the session fail to open', async () => {
    const app = await appWith('bind3:');
    const user = browser(app);
    await user.start();
    await user.post('/s/sign-in', { id: 'carol' });
    const { id } = await user.read();
    const key = redisKeyOf('bind3:', id);
    const original = await raw.hgetall(key);

    // A later signed-in time would pass @RequireRecentSignIn without signing in again.
    await raw.hset(key, 't', String(Number(original.t) + 60_000));
    expect((await user.read()).isNew).toBe(true);

    const second = browser(app);
    await second.start();
    await second.post('/s/sign-in', { id: 'carol' });
    const secondKey = redisKeyOf('bind3:', (await second.read()).id);
    // A later absolute deadline would keep the session alive past its end.
    const deadline = Number(await raw.hget(secondKey, 'x'));
    await raw.hset(secondKey, 'x', String(deadline + 3_600_000));
    expect((await second.read()).isNew).toBe(true);
  });

  it("a fingerprint swapped in or deleted does not let the cookie work from the attacker's browser", async () => {
    const app = await appWith('bind4:', { fingerprint: {} });
    const victim = browser(app, VICTIM_UA);
    await victim.start();
    await victim.post('/s/sign-in', { id: 'dave' });
    const victimKey = redisKeyOf('bind4:', (await victim.read()).id);
    const attacker = browser(app, ATTACKER_UA);
    await attacker.start();
    await attacker.post('/s/set', { x: 1 });
    const attackerKey = redisKeyOf('bind4:', (await attacker.read()).id);

    await raw.hset(victimKey, 'f', (await raw.hget(attackerKey, 'f'))!);
    const stolen = await browser(app, ATTACKER_UA).read(victim.jar.header);
    expect(stolen.principal).toBeUndefined();

    const other = browser(app, VICTIM_UA);
    await other.start();
    await other.post('/s/sign-in', { id: 'erin' });
    await raw.hdel(redisKeyOf('bind4:', (await other.read()).id), 'f');
    const unbound = await browser(app, ATTACKER_UA).read(other.jar.header);
    expect(unbound.principal).toBeUndefined();
  });

  it('values written before token rotations still open, through the grace pointer too', async () => {
    const app = await appWith('bind5:', { rotation: { intervalMs: 1000, graceMs: 60_000 } });
    const user = browser(app);
    await user.start();
    await user.post('/s/sign-in', { id: 'frank' });
    await user.post('/s/set', { kept: 'before-rotation' });
    let beforeLastRotation = user.jar.header;
    for (let round = 0; round < 2; round++) {
      beforeLastRotation = user.jar.header;
      await sleep(1100);
      // The first request after the interval rotates the token; the second reads its CSRF token.
      await user.refreshCsrf();
      await user.refreshCsrf();
      await user.post('/s/set', { [`round${round}`]: round });
    }
    const current = await user.read();
    expect(current).toMatchObject({
      isNew: false,
      principal: { id: 'frank' },
      data: { kept: 'before-rotation', round0: 0, round1: 1 },
    });
    // The token the last rotation replaced: within the grace it still reaches the session.
    expect(beforeLastRotation).not.toBe(user.jar.header);
    const old = await user.read(beforeLastRotation);
    expect(old).toMatchObject({
      isNew: false,
      principal: { id: 'frank' },
      data: { kept: 'before-rotation', round1: 1 },
    });
  });

  it('costs no extra round trip: 1 script to read, 2 to change data', async () => {
    const app = await appWith('bind6:');
    const user = browser(app);
    await user.start();
    await user.post('/s/sign-in', { id: 'grace' });
    const monitor = await RedisMonitor.start(redis().url);
    try {
      const read = await monitor.during(() => user.read());
      expect(read.map((command) => command.name)).toEqual(['evalsha']);
      const write = await monitor.during(() => user.post('/s/set', { n: 1 }));
      expect(write.map((command) => command.name)).toEqual(['evalsha', 'evalsha']);
    } finally {
      await monitor.stop();
    }
  });
});
