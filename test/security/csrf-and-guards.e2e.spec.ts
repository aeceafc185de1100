import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createSecurityApp } from './security-app.js';

const redis = useStandalone();

describe('CsrfGuard, AuthenticatedGuard and @RequireRecentSignIn on real Redis', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createSecurityApp({ redis: redis().url, prefix: 'csrf:' });
  });
  afterAll(async () => {
    await app.close();
  });

  const http = () => request(app.getHttpServer());

  async function csrfSession() {
    const jar = new CookieJar();
    const response = await http().get('/s/csrf').expect(200);
    jar.take(response);
    return { jar, token: response.body.token as string };
  }

  it('refuses a POST without the CSRF token with 403 and accepts it with the token', async () => {
    const { jar, token } = await csrfSession();
    const without = await http().post('/s/set').set('cookie', jar.header).send({ a: 1 });
    expect(without.status).toBe(403);
    expect(without.body.error).toBe('CsrfTokenError');
    expect(without.body.message).toContain('x-csrf-token');

    const wrong = await http()
      .post('/s/set')
      .set('cookie', jar.header)
      .set('x-csrf-token', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))
      .send({ a: 1 });
    expect(wrong.status).toBe(403);

    await http()
      .post('/s/set')
      .set('cookie', jar.header)
      .set('x-csrf-token', token)
      .send({ a: 1 })
      .expect(200);
    const read = await http().get('/s/read').set('cookie', jar.header);
    expect(read.body.data).toEqual({ a: 1 });
  });

  it('accepts the token in the _csrf form field', async () => {
    const { jar, token } = await csrfSession();
    await http()
      .post('/s/set')
      .set('cookie', jar.header)
      .type('form')
      .send({ _csrf: token, color: 'blue' })
      .expect(200);
    const read = await http().get('/s/read').set('cookie', jar.header);
    expect(read.body.data).toEqual({ color: 'blue' });
  });

  it("refuses another session's token and a token without a session", async () => {
    const alice = await csrfSession();
    const mallory = await csrfSession();
    expect(alice.token).not.toBe(mallory.token);
    await http()
      .post('/s/set')
      .set('cookie', alice.jar.header)
      .set('x-csrf-token', mallory.token)
      .send({ a: 1 })
      .expect(403);
    await http().post('/s/set').set('x-csrf-token', alice.token).send({ a: 1 }).expect(403);
  });

  it('keeps the token stable across requests without writing, and changes it at sign-in', async () => {
    const { jar, token } = await csrfSession();
    const again = await http().get('/s/csrf').set('cookie', jar.header).expect(200);
    expect(again.body.token).toBe(token);
    expect(again.headers['set-cookie']).toBeUndefined();

    const signIn = await http()
      .post('/s/sign-in')
      .set('cookie', jar.header)
      .set('x-csrf-token', token)
      .send({ id: 'alice' })
      .expect(200);
    jar.take(signIn);
    const fresh = signIn.body.csrf as string;
    expect(fresh).not.toBe(token);
    await http()
      .post('/s/set')
      .set('cookie', jar.header)
      .set('x-csrf-token', token)
      .send({ a: 1 })
      .expect(403);
    await http()
      .post('/s/set')
      .set('cookie', jar.header)
      .set('x-csrf-token', fresh)
      .send({ a: 1 })
      .expect(200);
  });

  it('lets safe methods and @SkipCsrf() routes through without a token', async () => {
    await http().get('/s/read').expect(200);
    await http().post('/s/webhook').send({}).expect(200);
  });

  it('AuthenticatedGuard: 401 without a principal, 200 with one; @AllowAnonymous exempts', async () => {
    const { jar, token } = await csrfSession();
    const anonymous = await http().get('/s/me').set('cookie', jar.header);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe('SignInRequiredError');
    await http().get('/account/closed').set('cookie', jar.header).expect(401);
    await http().get('/account/open').set('cookie', jar.header).expect(200);

    jar.take(
      await http()
        .post('/s/sign-in')
        .set('cookie', jar.header)
        .set('x-csrf-token', token)
        .send({ id: 'bob' })
        .expect(200),
    );
    const me = await http().get('/s/me').set('cookie', jar.header).expect(200);
    expect(me.body.principal).toEqual({ id: 'bob' });
    await http().get('/account/closed').set('cookie', jar.header).expect(200);
  });

  it('@RequireRecentSignIn: 200 right after sign-in, 403 with a reason once it is older', async () => {
    const { jar, token } = await csrfSession();
    await http().get('/s/step-up').set('cookie', jar.header).expect(401);
    jar.take(
      await http()
        .post('/s/sign-in')
        .set('cookie', jar.header)
        .set('x-csrf-token', token)
        .send({ id: 'carol' })
        .expect(200),
    );
    await http().get('/s/step-up').set('cookie', jar.header).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const stale = await http().get('/s/step-up').set('cookie', jar.header);
    expect(stale.status).toBe(403);
    expect(stale.body.error).toBe('RecentSignInRequiredError');
    expect(stale.body.message).toMatch(/within the last 2 s .*sign in again/);
    // Still signed in: only the step-up route refuses.
    await http().get('/s/me').set('cookie', jar.header).expect(200);
  });
});
