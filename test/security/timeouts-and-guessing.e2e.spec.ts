import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { sessionHelmet } from '../../src/helmet/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createSecurityApp, recordEvents } from './security-app.js';

const redis = useStandalone();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('timeouts, token guessing and the helmet preset on real Redis', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createSecurityApp({
      redis: redis().url,
      prefix: 'tmo:',
      idleTimeoutMs: 1000,
      absoluteTimeoutMs: 2500,
      slideAfterShare: 0,
    });
  });
  afterAll(async () => {
    await app.close();
  });

  async function startSession() {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).get('/s/csrf').expect(200));
    return jar;
  }

  it('ends a session unused past its idle timeout', async () => {
    const jar = await startSession();
    const cookie = ([] as string[]).concat(
      (await request(app.getHttpServer()).get('/s/csrf').set('cookie', jar.header)).headers[
        'set-cookie'
      ] ?? [],
    );
    // The cookie's expiry follows the server's idle deadline (slid on every use here).
    expect(cookie[0]).toMatch(/Max-Age=1;/);
    await sleep(600);
    const used = await request(app.getHttpServer()).get('/s/read').set('cookie', jar.header);
    expect(used.body.isNew).toBe(false);
    await sleep(1200);
    const idle = await request(app.getHttpServer()).get('/s/read').set('cookie', jar.header);
    expect(idle.body.isNew).toBe(true);
    expect(idle.body.id).not.toBe(used.body.id);
    expect(idle.body.data).toEqual({});
  });

  it('ends a session at its absolute timeout even when used all along', async () => {
    const jar = await startSession();
    const started = Date.now();
    const seen: boolean[] = [];
    while (Date.now() - started < 3200) {
      const response = await request(app.getHttpServer()).get('/s/read').set('cookie', jar.header);
      jar.take(response);
      seen.push(response.body.isNew as boolean);
      if (response.body.isNew) break;
      // Never idle for long: the idle deadline alone would keep it alive.
      await sleep(300);
    }
    const elapsed = Date.now() - started;
    expect(seen.at(-1)).toBe(true);
    expect(seen.slice(0, -1).every((isNew) => !isNew)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(2400);
    expect(elapsed).toBeLessThan(3200);
  });

  it('answers 429 to a client that sends too many unknown tokens, when configured', async () => {
    const guarded = await createSecurityApp({
      redis: redis().url,
      prefix: 'tmo:',
      tokenGuessing: { maxAttempts: 3, windowMs: 60_000 },
    });
    try {
      const unknown = recordEvents(guarded, 'unknown-token');
      const forged = 'AAAAAAAAAAAA.' + 'B'.repeat(43) + '.' + 'C'.repeat(43);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await request(guarded.getHttpServer())
          .get('/s/read')
          .set('cookie', `sid=${forged}`);
        statuses.push(response.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(unknown.map((e) => e.reason)).toEqual(Array(5).fill('bad-signature'));
      // A client without a stale cookie is not refused.
      await request(guarded.getHttpServer()).get('/s/read').expect(200);
    } finally {
      await guarded.close();
    }
    // Without the option, unknown tokens are only counted as events.
    const forged = 'AAAAAAAAAAAA.' + 'B'.repeat(43) + '.' + 'C'.repeat(43);
    for (let i = 0; i < 5; i++) {
      await request(app.getHttpServer()).get('/s/read').set('cookie', `sid=${forged}`).expect(200);
    }
  });

  it('sessionHelmet() sets the preset headers and merges CSP overrides', async () => {
    const helmeted = await createSecurityApp(
      { redis: redis().url, prefix: 'tmo:' },
      {
        configure: (nest) =>
          void nest.use(
            sessionHelmet({
              contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'] } },
            }),
          ),
      },
    );
    try {
      const response = await request(helmeted.getHttpServer()).get('/s/read').expect(200);
      const csp = response.headers['content-security-policy'] as string;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("img-src 'self' data:");
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['strict-transport-security']).toBe(
        'max-age=31536000; includeSubDomains',
      );
      expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(response.headers['x-powered-by']).toBeUndefined();
    } finally {
      await helmeted.close();
    }
  });
});
