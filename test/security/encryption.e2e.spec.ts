import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { SessionCipher } from '../../src/security/session-cipher.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { createSecurityApp, recordEvents } from './security-app.js';

const redis = useStandalone();

const KEY_A = 'data-key-A-0123456789abcdefghijklmnopqrst';
const KEY_B = 'data-key-B-0123456789abcdefghijklmnopqrst';
const PREFIX = 'enc:';

/** The Redis key of a session from its public id (`tag.hash` → `prefix{tag}hash`). */
function redisKeyOf(sessionId: string): string {
  const [tag, hash] = sessionId.split('.');
  return `${PREFIX}{${tag}}${hash}`;
}

/** The key id a ring seals with (the second part of every sealed value). */
function keyIdOf(key: string): string {
  return new SessionCipher([key]).encrypt('x', 'x').split('.')[1]!;
}

describe('encryption of session data at rest on real Redis', () => {
  let raw: Redis;
  const apps: INestApplication[] = [];

  beforeAll(() => {
    raw = new Redis(redis().url);
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    raw.disconnect();
  });

  async function appWith(keys: string[]) {
    const app = await createSecurityApp({
      redis: redis().url,
      prefix: PREFIX,
      encryption: { keys },
    });
    apps.push(app);
    return app;
  }

  /** A signed-in session holding `data`: its cookie jar, CSRF token and public id. */
  async function signedInSession(app: INestApplication, principal: string, data: object) {
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
    const token = signIn.body.csrf as string;
    jar.take(
      await request(server)
        .post('/s/set')
        .set('cookie', jar.header)
        .set('x-csrf-token', token)
        .send(data)
        .expect(200),
    );
    const read = await request(server).get('/s/read').set('cookie', jar.header).expect(200);
    return { jar, csrf: token, id: read.body.id as string, read: read.body };
  }

  it('keeps no plaintext of data or principal in the Redis hash, and reads it back', async () => {
    const app = await appWith([KEY_A]);
    const { id, read } = await signedInSession(app, 'principal-alice-4711', {
      note: 'plaintext-marker-ZQX',
      card: { last4: '9876-marker' },
    });
    expect(read.isNew).toBe(false);
    expect(read.principal).toEqual({ id: 'principal-alice-4711' });
    expect(read.data).toEqual({ note: 'plaintext-marker-ZQX', card: { last4: '9876-marker' } });

    const hash = await raw.hgetall(redisKeyOf(id));
    const dump = JSON.stringify(hash);
    expect(hash['.note']).toBeDefined();
    expect(hash.p).toBeDefined();
    expect(dump).not.toMatch(/plaintext-marker|9876|alice|4711/);
    // Every sealed field names the key that sealed it; deadlines stay readable for the scripts.
    for (const field of ['.note', '.card', 'p', 'u']) {
      expect(hash[field]).toMatch(new RegExp(`^e1\\.${keyIdOf(KEY_A)}\\.`));
    }
    expect(Number(hash.x)).toBeGreaterThan(Date.now());
  });

  it('reads data sealed with key A after the keys became [B, A]; new writes use B', async () => {
    const before = await appWith([KEY_A]);
    const { jar, id } = await signedInSession(before, 'principal-bob', { kept: 'old-value' });

    const after = await appWith([KEY_B, KEY_A]);
    const server = after.getHttpServer();
    const read = await request(server).get('/s/read').set('cookie', jar.header).expect(200);
    expect(read.body).toMatchObject({
      isNew: false,
      id,
      principal: { id: 'principal-bob' },
      data: { kept: 'old-value' },
    });
    const csrf = (await request(server).get('/s/csrf').set('cookie', jar.header)).body.token;
    await request(server)
      .post('/s/set')
      .set('cookie', jar.header)
      .set('x-csrf-token', csrf as string)
      .send({ added: 'new-value' })
      .expect(200);

    const hash = await raw.hgetall(redisKeyOf(id));
    expect(hash['.added']!.split('.')[1]).toBe(keyIdOf(KEY_B));
    expect(hash['.kept']!.split('.')[1]).toBe(keyIdOf(KEY_A));
    const again = await request(server).get('/s/read').set('cookie', jar.header).expect(200);
    expect(again.body.data).toEqual({ kept: 'old-value', added: 'new-value' });

    // A ring without A can no longer open the session: it is treated as gone, not a crash.
    const withoutA = await appWith([KEY_B]);
    const errors = recordEvents(withoutA, 'store-error');
    const lost = await request(withoutA.getHttpServer()).get('/s/read').set('cookie', jar.header);
    expect(lost.status).toBe(200);
    expect(lost.body.isNew).toBe(true);
    expect(errors.map((e) => e.operation)).toEqual(['decrypt']);
    expect(errors[0]!.error.message).toMatch(/not in `encryption.keys`/);
  });

  it('treats a session as gone when a value was tampered with or swapped in from another', async () => {
    const app = await appWith([KEY_A]);
    const server = app.getHttpServer();
    const errors = recordEvents(app, 'store-error');
    const victim = await signedInSession(app, 'principal-victim', { role: 'user' });
    const other = await signedInSession(app, 'principal-admin', { role: 'admin' });

    // Same field name, another session: the tag in the associated data refuses it.
    const adminRole = await raw.hget(redisKeyOf(other.id), '.role');
    await raw.hset(redisKeyOf(victim.id), '.role', adminRole!);
    const swapped = await request(server).get('/s/read').set('cookie', victim.jar.header);
    expect(swapped.status).toBe(200);
    expect(swapped.body.isNew).toBe(true);
    expect(swapped.body.data).toEqual({});

    // Same session, another field: the field name in the associated data refuses it.
    const principal = await raw.hget(redisKeyOf(other.id), 'p');
    await raw.hset(redisKeyOf(other.id), '.role', principal!);
    const moved = await request(server).get('/s/read').set('cookie', other.jar.header);
    expect(moved.body.isNew).toBe(true);

    expect(errors.map((e) => e.operation)).toEqual(['decrypt', 'decrypt']);
    expect(errors.every((e) => /altered, or copied/.test(e.error.message))).toBe(true);
  });
});
