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

/** Passport keeps its login in data (`passport.user`); other apps keep tokens or personal data. */
const DATA_KINDS = {
  passport: { passport: { user: 'victim-7f3a' }, mfa: true },
  plain: { iban: 'DE89 3704 0044 0532 0130 00', oauth: 'ya29.secret-access-token' },
} as const;
/** Strings that only the victim's data contains. */
const MARKERS = ['victim-7f3a', 'DE89 3704', 'ya29.secret'];

const POLICIES: FingerprintMismatchPolicy[] = ['destroy', 'regenerate', 'report'];

describe('a request whose fingerprint does not match never gets the session (real Redis)', () => {
  const apps: INestApplication[] = [];
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(redis().url);
  });
  afterAll(async () => {
    admin.disconnect();
    await Promise.all(apps.map((app) => app.close()));
  });

  async function appWith(policy: FingerprintMismatchPolicy, kind: string) {
    const app = await createSecurityApp({
      redis: redis().url,
      prefix: `fpm-${policy}-${kind}:`,
      fingerprint: { onMismatch: policy },
    });
    apps.push(app);
    return app;
  }

  /** The victim's browser stores `data` (no SessionService.signIn: the data is the secret). */
  async function victimWith(app: INestApplication, data: object) {
    const jar = new CookieJar();
    const csrf = await request(app.getHttpServer()).get('/s/csrf').set('user-agent', VICTIM_UA);
    jar.take(csrf);
    await request(app.getHttpServer())
      .post('/s/set')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header)
      .set('x-csrf-token', csrf.body.token)
      .send(data)
      .expect(200);
    const own = await request(app.getHttpServer())
      .get('/s/read')
      .set('user-agent', VICTIM_UA)
      .set('cookie', jar.header);
    expect(own.body.data).toEqual(data);
    return jar;
  }

  /** Every value stored under the prefix, to find where the victim's data went. */
  async function storedValues(prefix: string): Promise<string> {
    const values: string[] = [];
    for (const key of await admin.keys(`${prefix}*`)) {
      if ((await admin.type(key)) === 'hash') values.push(JSON.stringify(await admin.hgetall(key)));
    }
    return values.join('\n');
  }

  for (const policy of POLICIES) {
    for (const [kind, data] of Object.entries(DATA_KINDS)) {
      it(`${policy}, ${kind} data: the mismatching client gets a fresh, empty session`, async () => {
        const app = await appWith(policy, kind);
        const victim = await victimWith(app, data);
        const before = await storedValues(`fpm-${policy}-${kind}:`);
        const events = recordEvents(app, 'hijack-suspected');
        const prefix = `fpm-${policy}-${kind}:`;
        // The search below can find the victim's data: it is there before the attack.
        expect(MARKERS.some((marker) => before.includes(marker))).toBe(true);

        const thief = new CookieJar();
        thief.set('sid', victim.get('sid')!);
        const stolen = await request(app.getHttpServer())
          .get('/s/read')
          .set('user-agent', THIEF_UA)
          .set('cookie', thief.header)
          .expect(200);
        expect(stolen.body.isNew).toBe(true);
        expect(stolen.body.data).toEqual({});
        expect(stolen.body.principal).toBeUndefined();
        expect(events.map((event) => event.policy)).toEqual([policy]);
        thief.take(stolen);

        // Whatever cookie the thief holds now, it reaches nothing of the victim's.
        const again = await request(app.getHttpServer())
          .get('/s/read')
          .set('user-agent', THIEF_UA)
          .set('cookie', thief.header)
          .expect(200);
        expect(again.body.data).toEqual({});
        for (const marker of MARKERS) expect(JSON.stringify(again.body)).not.toContain(marker);

        const back = await request(app.getHttpServer())
          .get('/s/read')
          .set('user-agent', VICTIM_UA)
          .set('cookie', victim.header)
          .expect(200);
        if (policy === 'report') {
          // Kept for the victim, who still holds the only token that reaches it.
          expect(back.body.isNew).toBe(false);
          expect(back.body.data).toEqual(data);
        } else {
          expect(back.body.isNew).toBe(true);
          expect(back.body.data).toEqual({});
          // Not moved somewhere either: nothing in Redis holds the victim's data any more.
          const stored = await storedValues(prefix);
          for (const marker of MARKERS) expect(stored).not.toContain(marker);
        }
      });
    }
  }
});
