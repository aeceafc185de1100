import { Controller, Get, Query } from '@nestjs/common';
import request from 'supertest';
import type { Response } from 'supertest';
import { Session, SessionService, SessionStore, type TypedSession } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import {
  bootSessionApp,
  type SessionApp,
  type SessionRootOptions,
} from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** The default lifetime (idle and absolute alike) and the most a remembered sign-in may get. */
const LIFETIME_MS = 3000;
const REMEMBERED_MS = 60_000;

@Controller('r')
class RememberController {
  constructor(private readonly sessions: SessionService) {}

  @Get('visit')
  visit(@Session() session: TypedSession) {
    session.visited = true;
    return { id: session.id };
  }

  @Get('sign-in')
  async signIn(
    @Query('user') user: string,
    @Query('remember') remember?: string,
    @Query('ttl') ttl?: string,
  ) {
    const lifetime = ttl ? { absoluteTimeoutMs: Number(ttl) } : { rememberMe: remember === '1' };
    await this.sessions.signIn({ id: user }, lifetime);
    return { ok: true };
  }

  @Get('me')
  me(@Session() session: TypedSession) {
    return { principal: session.principal?.id ?? null, visited: session.visited ?? null };
  }
}

const redis = useStandalone();

function sessionCookieOf(response: Response): string | undefined {
  const lines = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return lines.find((line) => line.startsWith('sid='));
}

describe.each([
  ['Redis store', () => ({ redis: redis().url, prefix: 'rmb:' })],
  [
    'cookie sessions',
    () => ({ cookieSessions: { keys: ['remember-me-seal-key-0123456789abcdefgh'] } }),
  ],
] as const)('remember me (%s)', (name, storeOptions) => {
  let session: SessionApp;
  const options = (): Partial<SessionRootOptions> => ({
    ...storeOptions(),
    idleTimeoutMs: LIFETIME_MS,
    absoluteTimeoutMs: LIFETIME_MS,
    slideAfterShare: 0,
    cookie: { secure: false, persistent: false },
    rememberMe: { absoluteTimeoutMs: REMEMBERED_MS },
  });
  beforeAll(async () => {
    session = await bootSessionApp({ options: options(), controllers: [RememberController] });
  });
  afterAll(async () => {
    await session?.close();
  });

  const get = async (jar: CookieJar, path: string) => {
    const response = await request(session.http).get(path).set('cookie', jar.header).expect(200);
    jar.take(response);
    return response;
  };

  it('a browser-session cookie by default; a persistent one, kept past the default deadline, when remembered', async () => {
    const normal = new CookieJar();
    const remembered = new CookieJar();
    const startedAt = Date.now();
    const visited = await get(normal, '/r/visit');
    // Created by this visit: its absolute deadline is at most this far off.
    const normalDeadline = Date.now() + LIFETIME_MS;
    expect(sessionCookieOf(visited)).not.toMatch(/Max-Age|Expires/i);
    const normalSignIn = await get(normal, '/r/sign-in?user=ann');
    expect(sessionCookieOf(normalSignIn)).toBeDefined();
    expect(sessionCookieOf(normalSignIn)).not.toMatch(/Max-Age|Expires/i);

    await get(remembered, '/r/visit');
    const rememberedSignIn = await get(remembered, '/r/sign-in?user=bob&remember=1');
    expect(sessionCookieOf(rememberedSignIn)).toMatch(/Max-Age=\d+;/);
    expect(sessionCookieOf(rememberedSignIn)).toMatch(/Expires=/);

    // Half way: both used (their idle deadlines slide), the cookie of each re-sent as it was.
    await sleepUntil(startedAt + LIFETIME_MS / 2);
    const normalMid = await get(normal, '/r/me');
    expect(normalMid.body).toEqual({ principal: 'ann', visited: true });
    expect(sessionCookieOf(normalMid)).not.toMatch(/Max-Age/i);
    const rememberedMid = await get(remembered, '/r/me');
    expect(rememberedMid.body).toEqual({ principal: 'bob', visited: true });
    expect(sessionCookieOf(rememberedMid)).toMatch(/Max-Age=\d+;/);

    // Past the default absolute deadline: the normal session is over, the remembered one is not.
    await sleepUntil(normalDeadline + 100);
    expect((await get(normal, '/r/me')).body).toEqual({ principal: null, visited: null });
    expect((await get(remembered, '/r/me')).body).toEqual({ principal: 'bob', visited: true });
  });

  if (name === 'Redis store') {
    it('gives the session and its index entry the remembered deadline, never beyond the maximum', async () => {
      const store = session.app.get(SessionStore);
      const deadlinesOf = async (principalId: string) => {
        const now = Date.now();
        const { sessions } = await store.updateIndex(principalId, { now });
        expect(sessions).toHaveLength(1);
        const [summary] = await store.describe([sessions[0]!.key], {
          now,
          idleTimeoutMs: LIFETIME_MS,
        });
        return { index: sessions[0]!.deadline, session: summary!.absoluteDeadline };
      };

      const remembered = new CookieJar();
      await get(remembered, '/r/visit');
      const before = Date.now();
      await get(remembered, `/r/sign-in?user=cy&remember=1`);
      const after = Date.now();
      const cy = await deadlinesOf('cy');
      expect(cy.session).toBe(cy.index);
      expect(cy.session).toBeGreaterThanOrEqual(before + REMEMBERED_MS);
      expect(cy.session).toBeLessThanOrEqual(after + REMEMBERED_MS);

      // Asking for more than the maximum gets the maximum (a new session here, created by the sign-in).
      const greedy = new CookieJar();
      const greedyBefore = Date.now();
      await get(greedy, `/r/sign-in?user=dee&ttl=${10 * REMEMBERED_MS}`);
      const greedyAfter = Date.now();
      const dee = await deadlinesOf('dee');
      expect(dee.session).toBe(dee.index);
      expect(dee.session).toBeGreaterThanOrEqual(greedyBefore + REMEMBERED_MS);
      expect(dee.session).toBeLessThanOrEqual(greedyAfter + REMEMBERED_MS);

      // A normal sign-in keeps the deadline of the session's creation.
      const plain = new CookieJar();
      const visitedAt = Date.now();
      await get(plain, '/r/visit');
      const createdBy = Date.now();
      await get(plain, '/r/sign-in?user=eve');
      const eve = await deadlinesOf('eve');
      expect(eve.session).toBe(eve.index);
      expect(eve.session).toBeGreaterThanOrEqual(visitedAt + LIFETIME_MS);
      expect(eve.session).toBeLessThanOrEqual(createdBy + LIFETIME_MS);
    });
  }
});

describe('remember me options', () => {
  it('refuses at boot a rememberMe lifetime not longer than absoluteTimeoutMs', async () => {
    await expect(
      bootSessionApp({
        options: { absoluteTimeoutMs: 60_000, rememberMe: { absoluteTimeoutMs: 60_000 } },
      }),
    ).rejects.toThrow(
      /rememberMe\.absoluteTimeoutMs \(60000\) must be longer than absoluteTimeoutMs/,
    );
  });

  it('refuses a remembered sign-in when the rememberMe option is off', async () => {
    const app = await bootSessionApp({ controllers: [RememberController], logger: false });
    try {
      const response = await request(app.http).get('/r/sign-in?user=x&remember=1');
      expect(response.status).toBe(500);
      const plain = await request(app.http).get('/r/sign-in?user=x');
      expect(plain.status).toBe(200);
      // Without the option, the default stays a persistent cookie.
      expect(sessionCookieOf(plain)).toMatch(/Max-Age=\d+;/);
    } finally {
      await app.close();
    }
  });
});
