import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { CookieJar } from '../support/cookie-jar.js';
import { SEAL_KEY_1 } from '../stateless/stateless-app.js';
import { createSecurityApp, recordEvents } from './security-app.js';

/**
 * RFC 6265bis: a cookie name is matched exactly, only SP and HTAB around it are whitespace. A
 * sibling subdomain cannot set `__Host-sid`, but it can set `\u00a0__Host-sid`; JavaScript's
 * `trim()` would turn that into the session cookie and bypass the prefix (fixation, login CSRF).
 */
describe.each([
  ['Redis-less memory store', {}],
  ['cookie sessions', { cookieSessions: { keys: [SEAL_KEY_1] } }],
])('cookie names matched exactly (%s)', (_mode, mode) => {
  let app: INestApplication;
  const name = '__Host-sid';

  beforeAll(async () => {
    app = await createSecurityApp({ ...mode, cookie: { name, secure: false } });
  });
  afterAll(() => app.close());

  /** A signed-in session's cookie value. */
  async function signedIn(principal: string): Promise<string> {
    const server = app.getHttpServer();
    const jar = new CookieJar();
    const csrf = await request(server).get('/s/csrf').expect(200);
    jar.take(csrf);
    const signIn = await request(server)
      .post('/s/sign-in')
      .set('cookie', jar.header)
      .set('x-csrf-token', csrf.body.token as string)
      .send({ id: principal })
      .expect(200);
    jar.take(signIn);
    return jar.get(name)!;
  }

  const read = (cookie: string) =>
    request(app.getHttpServer()).get('/s/read').set('cookie', cookie).expect(200);

  it('ignores a cookie whose name differs by a no-break space (U+00A0)', async () => {
    const attacker = await signedIn('attacker');
    const victim = await signedIn('victim');
    const tossed = await read(`\u00a0${name}=${attacker}; ${name}=${victim}`);
    expect(tossed.body.principal).toEqual({ id: 'victim' });
    const alone = await read(`${name}\u00a0=${attacker}`);
    expect(alone.body.isNew).toBe(true);
    expect(alone.body.principal).toBeUndefined();
  });

  it('still trims SP and HTAB around names and values', async () => {
    const victim = await signedIn('victim');
    const spaced = await read(`other=1;\t ${name} \t= ${victim}\t`);
    expect(spaced.body.principal).toEqual({ id: 'victim' });
  });

  it('tries every cookie of the name: a forged or malformed one never hides a valid one', async () => {
    const victim = await signedIn('victim');
    const unknown = recordEvents(app, 'unknown-token');
    const forged = await read(`${name}=forged.value; ${name}=%E0%A4%A; ${name}=${victim}`);
    expect(forged.body.principal).toEqual({ id: 'victim' });
    // A request that carried a valid session is no guessing attempt.
    expect(unknown).toEqual([]);
    const none = await read(`${name}=forged.value; ${name}=%E0%A4%A`);
    expect(none.body.isNew).toBe(true);
    expect(unknown).toHaveLength(1);
  });
});
