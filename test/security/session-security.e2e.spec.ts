import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createSecurityApp, recordEvents, SECRET_A, SECRET_B } from './security-app.js';

const redis = useStandalone();

/** A cookie value with one character changed (a different base64url character). */
function flipOneByte(value: string, index: number): string {
  const char = value[index] === 'A' ? 'B' : 'A';
  return value.slice(0, index) + char + value.slice(index + 1);
}

describe('session security on real Redis: fixation, forgery, key rotation, cookie', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createSecurityApp({ redis: redis().url, prefix: 'sec:' });
  });
  afterAll(async () => {
    await app.close();
  });

  /** A stored session with `data`, and its CSRF token. */
  async function startSession(data: Record<string, unknown>) {
    const jar = new CookieJar();
    const csrf = await request(app.getHttpServer()).get('/s/csrf').expect(200);
    jar.take(csrf);
    const token = csrf.body.token as string;
    jar.take(
      await request(app.getHttpServer())
        .post('/s/set')
        .set('cookie', jar.header)
        .set('x-csrf-token', token)
        .send(data)
        .expect(200),
    );
    return { jar, csrf: token };
  }

  it('rejects the pre-sign-in token after sign-in; the data moves to the new token', async () => {
    const { jar, csrf } = await startSession({ cart: ['book'] });
    const before = jar.header;
    const signIn = await request(app.getHttpServer())
      .post('/s/sign-in')
      .set('cookie', before)
      .set('x-csrf-token', csrf)
      .send({ id: 'alice' })
      .expect(200);
    jar.take(signIn);
    expect(jar.header).not.toBe(before);

    const withNew = await request(app.getHttpServer()).get('/s/read').set('cookie', jar.header);
    expect(withNew.body.isNew).toBe(false);
    expect(withNew.body.principal).toEqual({ id: 'alice' });
    expect(withNew.body.data).toEqual({ cart: ['book'] });

    const withOld = await request(app.getHttpServer()).get('/s/read').set('cookie', before);
    expect(withOld.body.isNew).toBe(true);
    expect(withOld.body.principal).toBeUndefined();
    expect(withOld.body.data).toEqual({});
  });

  it('gives a fresh session when any one byte of the cookie changes', async () => {
    const { jar } = await startSession({ secret: 'victim data' });
    const value = decodeURIComponent(jar.get('sid')!);
    const unknown = recordEvents(app, 'unknown-token');
    // Every position: the tag, the secret, the dots and the signature.
    for (let index = 0; index < value.length; index++) {
      const tampered = flipOneByte(value, index);
      const response = await request(app.getHttpServer())
        .get('/s/read')
        .set('cookie', `sid=${encodeURIComponent(tampered)}`)
        .expect(200);
      expect([index, response.body.isNew, response.body.data]).toEqual([index, true, {}]);
    }
    expect(unknown.length).toBe(value.length);
    const intact = await request(app.getHttpServer()).get('/s/read').set('cookie', jar.header);
    expect(intact.body.data).toEqual({ secret: 'victim data' });
  });

  it('accepts a cookie signed with an old secret still in the keyring and re-signs it', async () => {
    const old = await createSecurityApp({
      redis: redis().url,
      prefix: 'sec:',
      secrets: [SECRET_B],
    });
    const rotated = await createSecurityApp({
      redis: redis().url,
      prefix: 'sec:',
      secrets: [SECRET_A, SECRET_B],
    });
    const retired = await createSecurityApp({
      redis: redis().url,
      prefix: 'sec:',
      secrets: [SECRET_A],
    });
    try {
      const jar = new CookieJar();
      const csrf = await request(old.getHttpServer()).get('/s/csrf');
      jar.take(csrf);
      jar.take(
        await request(old.getHttpServer())
          .post('/s/set')
          .set('cookie', jar.header)
          .set('x-csrf-token', csrf.body.token)
          .send({ plan: 'pro' })
          .expect(200),
      );
      const signedByOld = jar.get('sid')!;
      // The newest secret alone does not accept it: the signature really is the old secret's.
      const refused = await request(retired.getHttpServer())
        .get('/s/read')
        .set('cookie', jar.header);
      expect(refused.body.isNew).toBe(true);

      const read = await request(rotated.getHttpServer()).get('/s/read').set('cookie', jar.header);
      expect(read.body.data).toEqual({ plan: 'pro' });
      jar.take(read);
      const resigned = jar.get('sid')!;
      expect(resigned).not.toBe(signedByOld);
      // Same token, new signature.
      const tokenOf = (cookie: string) =>
        decodeURIComponent(cookie).split('.').slice(0, 2).join('.');
      expect(tokenOf(resigned)).toBe(tokenOf(signedByOld));
      const afterRetirement = await request(retired.getHttpServer())
        .get('/s/read')
        .set('cookie', jar.header);
      expect(afterRetirement.body.data).toEqual({ plan: 'pro' });
    } finally {
      await Promise.all([old.close(), rotated.close(), retired.close()]);
    }
  });

  it('sets the documented cookie attributes: __Host- prefix, HttpOnly, Secure, SameSite=Lax, Path=/', async () => {
    const secure = await createSecurityApp({ redis: redis().url, prefix: 'sec:', cookie: {} });
    try {
      const response = await request(secure.getHttpServer()).get('/s/csrf').expect(200);
      const lines = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      expect(lines).toHaveLength(1);
      const [pair, ...attributes] = lines[0]!.split('; ');
      expect(pair).toMatch(/^__Host-sid=/);
      expect(attributes).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']),
      );
      expect(attributes.some((a) => a.startsWith('Domain='))).toBe(false);
      // The expiry follows the server's idle deadline (default 30 minutes).
      const maxAge = Number(attributes.find((a) => a.startsWith('Max-Age='))!.slice(8));
      expect(maxAge).toBeGreaterThan(1790);
      expect(maxAge).toBeLessThanOrEqual(1800);
    } finally {
      await secure.close();
    }
  });

  it("with secure: 'auto' sets Secure only for requests that came over HTTPS through a trusted proxy", async () => {
    const auto = await createSecurityApp(
      { redis: redis().url, prefix: 'sec:', cookie: { secure: 'auto' } },
      { trustProxy: 'loopback' },
    );
    try {
      const overHttps = await request(auto.getHttpServer())
        .get('/s/csrf')
        .set('x-forwarded-proto', 'https');
      const overHttp = await request(auto.getHttpServer()).get('/s/csrf');
      const attributesOf = (response: request.Response) =>
        ([] as string[]).concat(response.headers['set-cookie'] ?? [])[0]!.split('; ');
      expect(attributesOf(overHttps)[0]).toMatch(/^sid=/);
      expect(attributesOf(overHttps)).toContain('Secure');
      expect(attributesOf(overHttp)[0]).toMatch(/^sid=/);
      expect(attributesOf(overHttp)).not.toContain('Secure');
    } finally {
      await auto.close();
    }
  });

  it('every attribute is configurable', async () => {
    const custom = await createSecurityApp({
      redis: redis().url,
      prefix: 'sec:',
      cookie: {
        name: 'app_sess',
        domain: 'example.test',
        path: '/app',
        httpOnly: false,
        sameSite: 'strict',
      },
    });
    try {
      const response = await request(custom.getHttpServer()).get('/s/csrf').expect(200);
      const [pair, ...attributes] = ([] as string[])
        .concat(response.headers['set-cookie'] ?? [])[0]!
        .split('; ');
      expect(pair).toMatch(/^app_sess=/);
      expect(attributes).toEqual(
        expect.arrayContaining(['Domain=example.test', 'Path=/app', 'Secure', 'SameSite=Strict']),
      );
      expect(attributes).not.toContain('HttpOnly');
    } finally {
      await custom.close();
    }
  });
});
