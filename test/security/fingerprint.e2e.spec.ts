import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { FingerprintMismatchPolicy } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createSecurityApp, recordEvents } from './security-app.js';

const redis = useStandalone();

const VICTIM_UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';
const THIEF_UA = 'curl/8.9.1';

describe('fingerprint binding on real Redis', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  async function appWith(onMismatch?: FingerprintMismatchPolicy) {
    const app = await createSecurityApp({
      redis: redis().url,
      prefix: `fp-${onMismatch ?? 'default'}:`,
      fingerprint: onMismatch ? { onMismatch } : {},
    });
    apps.push(app);
    return app;
  }

  /** The victim signs in with their browser and stores something private. */
  async function victimSession(app: INestApplication) {
    const jar = new CookieJar();
    const csrf = await request(app.getHttpServer()).get('/s/csrf').set('user-agent', VICTIM_UA);
    jar.take(csrf);
    const signIn = await request(app.getHttpServer())
      .post('/s/sign-in')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header)
      .set('x-csrf-token', csrf.body.token)
      .send({ id: 'victim' })
      .expect(200);
    jar.take(signIn);
    await request(app.getHttpServer())
      .post('/s/set')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header)
      .set('x-csrf-token', signIn.body.csrf)
      .send({ iban: 'DE89 3704 0044 0532 0130 00' })
      .expect(200);
    return jar;
  }

  it('a stolen cookie replayed with another User-Agent gets no data; the session ends (default)', async () => {
    const app = await appWith();
    const jar = await victimSession(app);
    const events = recordEvents(app, 'hijack-suspected');

    const own = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header);
    expect(own.body.data).toEqual({ iban: 'DE89 3704 0044 0532 0130 00' });
    expect(events).toHaveLength(0);

    const stolen = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', THIEF_UA)
      .set('cookie', jar.header)
      .expect(200);
    expect(stolen.body.isNew).toBe(true);
    expect(stolen.body.principal).toBeUndefined();
    expect(stolen.body.data).toEqual({});
    expect(events).toEqual([
      expect.objectContaining({
        sessionId: own.body.id,
        reason: 'fingerprint-mismatch',
        policy: 'destroy',
      }),
    ]);
    // The session is gone for the victim too: whoever holds the token, it is burnt.
    const after = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header);
    expect(after.body.isNew).toBe(true);
  });

  it('stores an HMAC, not the User-Agent', async () => {
    const app = await appWith();
    await victimSession(app);
    const admin = new Redis(redis().url);
    try {
      const keys: string[] = [];
      for (const key of await admin.keys('fp-default:*')) {
        if ((await admin.type(key)) === 'hash') keys.push(key);
      }
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const hash = await admin.hgetall(key);
        expect(hash.f).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(hash.f).not.toContain('Firefox');
        // Other fields may summarise the browser for session lists, never the raw header.
        expect(JSON.stringify(hash)).not.toContain(VICTIM_UA);
      }
    } finally {
      admin.disconnect();
    }
  });

  it('regenerate policy: the mismatching client gets a new, empty session; the old token is dead', async () => {
    const app = await appWith('regenerate');
    const jar = await victimSession(app);
    const events = recordEvents(app, 'hijack-suspected');
    const thief = new CookieJar();
    thief.set('sid', jar.get('sid')!);
    const stolen = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', THIEF_UA)
      .set('cookie', thief.header)
      .expect(200);
    expect(stolen.body.principal).toBeUndefined();
    expect(stolen.body.data).toEqual({});
    thief.take(stolen);
    // A new cookie replaces the presented one at once.
    expect(thief.get('sid')).not.toBe(jar.get('sid'));
    expect(events.map((e) => e.policy)).toEqual(['regenerate']);

    const old = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header);
    expect(old.body.isNew).toBe(true);
    // The new token is bound to the client that got it, and holds nothing of the victim's.
    const again = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', THIEF_UA)
      .set('cookie', thief.header);
    expect(again.body.isNew).toBe(false);
    expect(again.body.data).toEqual({});
    expect(events).toHaveLength(1);
  });

  it('report policy: the event; the session stays for its owner, never for the other client', async () => {
    const app = await appWith('report');
    const jar = await victimSession(app);
    const events = recordEvents(app, 'hijack-suspected');
    const other = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', THIEF_UA)
      .set('cookie', jar.header);
    expect(other.body.principal).toBeUndefined();
    expect(other.body.data).toEqual({});
    expect(events.map((e) => e.policy)).toEqual(['report']);
    const own = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header);
    expect(own.body.principal).toEqual({ id: 'victim' });
  });
});
