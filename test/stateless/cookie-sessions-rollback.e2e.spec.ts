import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Session, type TypedSession } from '../../src/index.js';
import { Redis } from 'ioredis';
import { SessionDenyList } from '../../src/session/stateless/session-deny-list.js';
import { useStandalone } from '../harness/index.js';
import { recordEvents, SECRET_A } from '../security/security-app.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { Client, createCookieSessionApp, SEAL_KEY_1 } from './stateless-app.js';

const redis = useStandalone();

/**
 * A sealed cookie cannot be recalled: without a floor, any older cookie of the same session id
 * opens, and a failed-OTP counter goes back to 0 by replaying a cookie from before the failures.
 * `monotonicKeys` raise a per-id minimum sequence in the deny-list whenever one of them changes.
 */
describe('cookie sessions: rollback of monotonic keys refused (real Redis deny-list)', () => {
  let app: INestApplication;
  let raw: Redis;
  beforeAll(async () => {
    app = await createCookieSessionApp({
      prefix: 'rb:',
      cookieSessions: { keys: [SEAL_KEY_1], denyList: redis().url, monotonicKeys: ['otpFailures'] },
    });
    raw = new Redis(redis().url);
  });
  afterAll(async () => {
    raw.disconnect();
    await app.close();
  });

  it('a cookie from before the counter rose opens as a fresh session', async () => {
    const user = await new Client(app).start();
    await user.post('/s/set', { pendingUser: 'alice', otpFailures: 0 });
    await user.post('/s/set', { otpFailures: 1 });
    const beforeSecondFailure = user.jar.header;
    await user.post('/s/set', { otpFailures: 2 });
    expect((await user.get('/s/read').expect(200)).body.data).toMatchObject({ otpFailures: 2 });

    const unknown = recordEvents(app, 'unknown-token');
    const replay = await user.get('/s/read', beforeSecondFailure).expect(200);
    expect(replay.body.isNew).toBe(true);
    expect(replay.body.data).toEqual({});
    expect(unknown.map((event) => event.reason)).toEqual(['unknown']);
    // The browser's own, current cookie goes on with the counter where it was.
    expect((await user.get('/s/read').expect(200)).body.data).toEqual({
      pendingUser: 'alice',
      otpFailures: 2,
    });
  });

  it('other keys keep stateless semantics: an older cookie with the same counter still opens', async () => {
    const user = await new Client(app).start();
    await user.post('/s/set', { pendingUser: 'bob', otpFailures: 1 });
    const sameCounter = user.jar.header;
    await user.post('/s/set', { note: 'later' });
    const older = await user.get('/s/read', sameCounter).expect(200);
    expect(older.body.isNew).toBe(false);
    expect(older.body.data).toEqual({ pendingUser: 'bob', otpFailures: 1 });
  });

  it('two requests racing from one cookie: the second raise of the counter is refused, 409', async () => {
    const gated = await createGatedApp();
    const user = new Client(gated.app);
    const started = await user.get('/otp/fail').expect(200);
    user.jar.take(started);
    const cookie = user.jar.header;
    // Both requests open the same cookie (the floor is not raised yet) and wait at the gate.
    const first = user.get('/otp/fail', cookie).then((response) => response);
    const second = user.get('/otp/fail', cookie).then((response) => response);
    await gated.arrived(2);
    gated.open();
    const statuses = [(await first).status, (await second).status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = [await first, await second].find((response) => response.status === 200)!;
    const loser = [await first, await second].find((response) => response.status === 409)!;
    expect(winner.body).toEqual({ otpFailures: 2 });
    expect(loser.body.message).toMatch(/cookie session moved on/);
    expect(loser.headers['set-cookie']).toBeUndefined();
    await gated.app.close();
  });

  it('a floor never revives an ended id, and sign-out still ends a session that has one', async () => {
    const denyList = new SessionDenyList(raw, 'rb-unit:');
    const deadline = Date.now() + 60_000;
    expect(await denyList.raiseMinimum('t.h', 3, deadline)).toBe('raised');
    expect(await denyList.check('t.h', 2)).toBe('stale');
    expect(await denyList.check('t.h', 3)).toBe('open');
    expect(await denyList.raiseMinimum('t.h', 3, deadline)).toBe('stale');
    await denyList.add('t.h', deadline);
    expect(await denyList.raiseMinimum('t.h', 9, deadline)).toBe('ended');
    expect(await denyList.check('t.h', 9)).toBe('ended');

    const user = await new Client(app).start();
    await user.post('/s/sign-in', { id: 'dave' });
    await user.post('/s/set', { otpFailures: 1 });
    const beforeSignOut = user.jar.header;
    await user.post('/s/sign-out', {});
    const replay = await user.get('/s/read', beforeSignOut).expect(200);
    expect(replay.body).toMatchObject({ isNew: true, data: {} });
  });

  it('refuses monotonicKeys without a deny-list, naming the option', async () => {
    await expect(
      createCookieSessionApp({ cookieSessions: { keys: [SEAL_KEY_1], monotonicKeys: ['otp'] } }),
    ).rejects.toThrow(/cookieSessions.monotonicKeys needs cookieSessions.denyList/);
  });
});

/** An app whose `/otp/fail` opens the session, waits at a gate, then counts a failure. */
async function createGatedApp() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const waiters: (() => void)[] = [];

  @Controller('otp')
  class OtpController {
    @Get('fail')
    async fail(@Session() session: TypedSession) {
      const failures = (session.otpFailures as number | undefined) ?? 0;
      if (failures >= 1) {
        waiting += 1;
        waiters.splice(0).forEach((wake) => wake());
        await gate;
      }
      session.otpFailures = failures + 1;
      return { otpFailures: failures + 1 };
    }
  }

  const { app } = await bootSessionApp({
    options: {
      secrets: [SECRET_A],
      prefix: 'rb-gate:',
      cookieSessions: { keys: [SEAL_KEY_1], denyList: redis().url, monotonicKeys: ['otpFailures'] },
    },
    controllers: [OtpController],
    logger: false,
  });
  return {
    app,
    open: () => release(),
    /** Resolves once `count` requests wait at the gate. */
    async arrived(count: number): Promise<void> {
      while (waiting < count) await new Promise<void>((wake) => waiters.push(wake));
    },
  };
}
