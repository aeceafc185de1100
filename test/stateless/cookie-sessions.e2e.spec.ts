import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CookieSessionStore, SessionOptionsError, SessionStore } from '../../src/index.js';
import { resolveSessionOptions } from '../../src/session/resolve-session-options.js';
import { recordEvents, SECRET_A } from '../security/security-app.js';
import { createTestApp } from '../support/test-app.js';
import { Client, createCookieSessionApp, SEAL_KEY_1, SEAL_KEY_2 } from './stateless-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cookie sessions (no store): cookie, tamper, fixation, size, rotation', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createCookieSessionApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('keeps no server state: the store is the cookie store, with no deny-list', () => {
    const store = app.get(SessionStore);
    expect(store).toBeInstanceOf(CookieSessionStore);
    expect((store as CookieSessionStore).denyList).toBeUndefined();
  });

  it('sets an HttpOnly, SameSite=Lax sealed cookie; the data comes back from it alone', async () => {
    const client = await new Client(app).start();
    const line = ([] as string[])
      .concat((await client.post('/s/set', { cart: ['book'] })).headers['set-cookie'] ?? [])
      .find((cookie) => cookie.startsWith('sid='))!;
    expect(line).toMatch(
      /^sid=c1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+; Max-Age=1800; Path=\/; Expires=.+; HttpOnly; SameSite=Lax$/,
    );
    const read = await client.get('/s/read').expect(200);
    expect(read.body.isNew).toBe(false);
    expect(read.body.data).toEqual({ cart: ['book'] });
    // An unchanged session read early in its idle window is not sealed again.
    expect(read.headers['set-cookie']).toBeUndefined();
  });

  it('measures the cookie: an empty session and one with 1 KB of data stay far below 4 KB', async () => {
    const empty = await new Client(app).start();
    const withData = await new Client(app).start();
    await withData.post('/s/set', { note: 'x'.repeat(1024) });
    const emptyBytes = `sid=${empty.sid}`.length;
    const dataBytes = `sid=${withData.sid}`.length;
    process.stdout.write(`cookie bytes: empty session ${emptyBytes}, 1 KB data ${dataBytes}\n`);
    expect(emptyBytes).toBeLessThan(400);
    // base64url makes 4 characters of 3 bytes; the rest is the empty session's overhead.
    expect(dataBytes).toBeLessThan(Math.ceil((1024 * 4) / 3) + emptyBytes + 40);
  });

  it('gives a fresh session when any one character of the cookie changes', async () => {
    const client = await new Client(app).start();
    await client.post('/s/set', { secret: 'victim data' });
    const value = client.sid;
    const unknown = recordEvents(app, 'unknown-token');
    for (let index = 0; index < value.length; index++) {
      const char = value[index] === 'A' ? 'B' : 'A';
      const tampered = value.slice(0, index) + char + value.slice(index + 1);
      const response = await client.get('/s/read', `sid=${tampered}`).expect(200);
      expect([index, response.body.isNew, response.body.data]).toEqual([index, true, {}]);
    }
    expect(unknown.length).toBe(value.length);
    expect((await client.get('/s/read').expect(200)).body.data).toEqual({ secret: 'victim data' });
  });

  it('fixation: sign-in gives a new id; the pre-sign-in cookie never carries the principal', async () => {
    const client = await new Client(app).start();
    await client.post('/s/set', { cart: ['book'] });
    const before = client.jar.header;
    const idBefore = (await client.get('/s/read')).body.id as string;
    await client.post('/s/sign-in', { id: 'alice' }).then((r) => expect(r.status).toBe(200));
    const after = await client.get('/s/read').expect(200);
    expect(after.body.principal).toEqual({ id: 'alice' });
    expect(after.body.data).toEqual({ cart: ['book'] });
    expect(after.body.id).not.toBe(idBefore);
    const old = await client.get('/s/read', before).expect(200);
    expect(old.body.principal).toBeUndefined();
    expect(old.body.id).toBe(idBefore);
  });

  it('refuses a 5 KB session with SessionCookieTooLargeError (413); the old cookie still works', async () => {
    const client = await new Client(app).start();
    await client.post('/s/set', { small: 1 });
    const before = client.sid;
    const response = await client.post('/s/set', { big: 'x'.repeat(5 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('SessionCookieTooLargeError');
    expect(response.body.message).toMatch(/would take \d{4} bytes, over the limit of 4096 bytes/);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(client.sid).toBe(before);
    expect((await client.get('/s/read').expect(200)).body.data).toEqual({ small: 1 });
  });

  it('the session cookie sealed under another name does not open (AAD binds the name)', async () => {
    const other = await createCookieSessionApp({ cookie: { secure: false, name: 'other' } });
    try {
      const client = await new Client(app).start();
      await client.post('/s/set', { a: 1 });
      const read = await request(other.getHttpServer())
        .get('/s/read')
        .set('cookie', `other=${client.sid}`)
        .expect(200);
      expect(read.body.isNew).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('cookie sessions: key rotation without sign-outs', () => {
  it('opens a cookie sealed with an old key and seals it again with the newest', async () => {
    const before = await createCookieSessionApp();
    const after = await createCookieSessionApp({
      cookieSessions: { keys: [SEAL_KEY_2, SEAL_KEY_1] },
    });
    const newOnly = await createCookieSessionApp({ cookieSessions: { keys: [SEAL_KEY_2] } });
    try {
      const client = await new Client(before).start();
      await client.post('/s/set', { kept: true });
      const old = client.sid;
      const read = await new Client(after).get('/s/read', `sid=${old}`).expect(200);
      expect(read.body.data).toEqual({ kept: true });
      client.jar.take(read);
      expect(client.sid).not.toBe(old);
      expect(client.sid.split('.')[1]).not.toBe(old.split('.')[1]);
      // The re-sealed cookie opens with the new key alone, so the old key can be retired.
      const retired = await new Client(newOnly).get('/s/read', client.jar.header).expect(200);
      expect(retired.body.data).toEqual({ kept: true });
      expect((await new Client(newOnly).get('/s/read', `sid=${old}`)).body.isNew).toBe(true);
    } finally {
      await Promise.all([before.close(), after.close(), newOnly.close()]);
    }
  });
});

describe('cookie sessions: fingerprint binding (hijack)', () => {
  it('a stolen cookie replayed with another User-Agent gets no data', async () => {
    const app = await createCookieSessionApp({ fingerprint: {} });
    try {
      const victim = await new Client(app, 'Mozilla/5.0 Firefox/140.0').start();
      await victim.post('/s/sign-in', { id: 'victim' });
      await victim.post('/s/set', { iban: 'DE89' });
      const events = recordEvents(app, 'hijack-suspected');
      const thief = new Client(app, 'curl/8.9.1');
      const stolen = await thief.get('/s/read', victim.jar.header).expect(200);
      expect(stolen.body).toMatchObject({ isNew: true, data: {} });
      expect(stolen.body.principal).toBeUndefined();
      expect(events).toHaveLength(1);
      const own = await victim.get('/s/read').expect(200);
      expect(own.body.principal).toEqual({ id: 'victim' });
      expect(own.body.data).toEqual({ iban: 'DE89' });
    } finally {
      await app.close();
    }
  });
});

describe('cookie sessions: timeouts from the sealed timestamps', () => {
  it('ends a session idle longer than idleTimeoutMs', async () => {
    const app = await createCookieSessionApp({ idleTimeoutMs: 1000 });
    try {
      const client = await new Client(app).start();
      await client.post('/s/set', { a: 1 });
      const expired = recordEvents(app, 'expired');
      await sleep(1200);
      const read = await client.get('/s/read').expect(200);
      expect(read.body).toMatchObject({ isNew: true, data: {} });
      expect(expired).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('slides the idle deadline on use, and ends the session at the absolute deadline anyway', async () => {
    const app = await createCookieSessionApp({
      idleTimeoutMs: 1000,
      absoluteTimeoutMs: 2000,
      slideAfterShare: 0,
    });
    try {
      const client = await new Client(app).start();
      await client.post('/s/set', { a: 1 });
      const started = Date.now();
      while (Date.now() - started < 1600) {
        await sleep(400);
        const read = await client.get('/s/read').expect(200);
        client.jar.take(read);
        expect(read.body.data).toEqual({ a: 1 });
      }
      await sleep(2100 - (Date.now() - started));
      expect((await client.get('/s/read').expect(200)).body).toMatchObject({
        isNew: true,
        data: {},
      });
    } finally {
      await app.close();
    }
  });
});

describe('cookie sessions: features that need a store', () => {
  it('refuses @SessionLock() and withRetry at call time', async () => {
    const app = await createTestApp({ cookieSessions: { keys: [SEAL_KEY_1] } });
    try {
      await request(app.getHttpServer()).post('/t/locked-increment').expect(500);
      await request(app.getHttpServer()).post('/t/optimistic-increment').expect(500);
      await request(app.getHttpServer()).post('/t/increment').expect(201);
    } finally {
      await app.close();
    }
  });

  it('fails at boot when combined with redis, store or encryption, or with a short key', () => {
    const base = { secrets: [SECRET_A], cookieSessions: { keys: [SEAL_KEY_1] } };
    expect(() => resolveSessionOptions({ ...base, redis: 'redis://127.0.0.1:1' })).toThrow(
      /cookieSessions keep the session in the cookie, with no store: remove `redis`/,
    );
    expect(() => resolveSessionOptions({ ...base, encryption: { keys: [SEAL_KEY_2] } })).toThrow(
      /remove `encryption`/,
    );
    expect(() => resolveSessionOptions({ ...base, cookieSessions: { keys: ['short'] } })).toThrow(
      SessionOptionsError,
    );
    expect(() =>
      resolveSessionOptions({
        ...base,
        cookieSessions: { keys: [SEAL_KEY_1], maxCookieBytes: 9000 },
      }),
    ).toThrow(/at most 4096/);
    expect(resolveSessionOptions(base).cookieSessions).toEqual({
      keys: [SEAL_KEY_1],
      maxCookieBytes: 4096,
      denyList: undefined,
    });
  });
});
