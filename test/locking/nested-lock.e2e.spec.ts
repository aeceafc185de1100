import { Controller, HttpCode, Post } from '@nestjs/common';
import request from 'supertest';
import { Session, SessionLock, SessionService, type TypedSession } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';

/*
 * `withLock()` called from inside a locked section of the same session (a service that locks,
 * called from a `@SessionLock()` route) is reentrant: it runs under the lock the section holds,
 * commits with its fence, and leaves the release to the section. Before, it waited for its own
 * lock until the lock timed out (423). The lock stays held across the nested commit: another
 * request cannot take it until the route is done.
 */

const bump = (session: TypedSession) => {
  session.counter = ((session.counter as number | undefined) ?? 0) + 1;
  return session.counter;
};

/** Opened by the test: the locked route waits on it after its nested section committed. */
let gate: { open: () => void; opened: Promise<void>; reached: Promise<void>; reach: () => void };
function newGate() {
  let open!: () => void;
  let reach!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  gate = { open, opened, reached, reach };
}

@Controller('nested')
class NestedLockController {
  constructor(private readonly sessions: SessionService) {}

  @Post('start')
  @HttpCode(200)
  start(@Session() session: TypedSession) {
    session.counter = 0;
    return { ok: true };
  }

  /** Locked route; a nested withLock() (with the default options), then one more change. */
  @Post('twice')
  @HttpCode(200)
  @SessionLock()
  async twice(@Session() session: TypedSession) {
    const inner = await this.sessions.withLock(async (locked) => bump(locked));
    return { inner, outer: bump(session) };
  }

  /** As `twice`, but waits on the test's gate after the nested section committed. */
  @Post('held')
  @HttpCode(200)
  @SessionLock()
  async held(@Session() session: TypedSession) {
    const inner = await this.sessions.withLock(async (locked) => bump(locked));
    gate.reach();
    await gate.opened;
    return { inner, outer: bump(session) };
  }

  /** Tries the lock once, without waiting: 423 while another request holds it. */
  @Post('try')
  @HttpCode(200)
  async try() {
    return {
      value: await this.sessions.withLock(async (locked) => bump(locked), { retryCount: 0 }),
    };
  }

  /** Two withLock() side by side, outside any locked section: they take the lock in turn. */
  @Post('side-by-side')
  @HttpCode(200)
  async sideBySide() {
    const values = await Promise.all([
      this.sessions.withLock(async (locked) => bump(locked)),
      this.sessions.withLock(async (locked) => bump(locked)),
    ]);
    return { values: values.sort() };
  }

  /** withLock() inside withLock(), in code. */
  @Post('in-code')
  @HttpCode(200)
  async inCode() {
    return this.sessions.withLock(async (outer) => {
      const inner = await this.sessions.withLock(async (locked) => bump(locked));
      return { inner, outer: bump(outer) };
    });
  }
}

const redis = useStandalone();

describe.each([
  ['memory store', () => ({})],
  ['Redis standalone', () => ({ redis: redis().url, prefix: 'nested:' })],
])('a nested withLock() on %s', (_name, storeOptions) => {
  let app: SessionApp;
  beforeAll(async () => {
    app = await bootSessionApp({
      options: storeOptions(),
      controllers: [NestedLockController],
    });
  });
  afterAll(() => app.close());

  async function started(): Promise<CookieJar> {
    const jar = new CookieJar();
    jar.take(await request(app.http).post('/nested/start').expect(200));
    return jar;
  }

  it('in a @SessionLock() route runs under the route lock and commits (default options)', async () => {
    const jar = await started();
    await request(app.http)
      .post('/nested/twice')
      .set('cookie', jar.header)
      .expect(200, { inner: 1, outer: 2 });
    await request(app.http)
      .post('/nested/twice')
      .set('cookie', jar.header)
      .expect(200, { inner: 3, outer: 4 });
  });

  it('in withLock() in code, too', async () => {
    const jar = await started();
    await request(app.http)
      .post('/nested/in-code')
      .set('cookie', jar.header)
      .expect(200, { inner: 1, outer: 2 });
  });

  it('two side by side outside a locked section take the lock in turn', async () => {
    const jar = await started();
    await request(app.http)
      .post('/nested/side-by-side')
      .set('cookie', jar.header)
      .expect(200, { values: [1, 2] });
  });

  it('keeps the lock across its commit: another request cannot take it until the route ends', async () => {
    const jar = await started();
    newGate();
    const held = request(app.http)
      .post('/nested/held')
      .set('cookie', jar.header)
      .then((r) => r);
    await gate.reached;
    // The nested section has committed; the route still holds the lock.
    await request(app.http).post('/nested/try').set('cookie', jar.header).expect(423);
    gate.open();
    const done = await held;
    expect([done.status, done.body]).toEqual([200, { inner: 1, outer: 2 }]);
    // Released at the end of the route: the next locked change gets it and sees both writes.
    await request(app.http).post('/nested/try').set('cookie', jar.header).expect(200, { value: 3 });
  });
});
