import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { createSecurityApp, recordEvents } from './security-app.js';

const redis = useStandalone();

/** A cookie whose signature fails: an unknown token, counted without a store lookup. */
const FORGED = 'sid=' + 'AAAAAAAAAAAA.' + 'B'.repeat(43) + '.' + 'C'.repeat(43);

/** An app behind a proxy, so the client address comes from X-Forwarded-For. */
async function proxiedApp(options: Partial<SessionModuleOptions>): Promise<INestApplication> {
  return createSecurityApp(options, { trustProxy: true });
}

async function guess(app: INestApplication, address: string): Promise<number> {
  const response = await request(app.getHttpServer())
    .get('/s/read')
    .set('x-forwarded-for', address)
    .set('cookie', FORGED);
  return response.status;
}

describe('token guessing: a client cannot escape the counter (real Redis)', () => {
  const apps: INestApplication[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  async function appWith(options: Partial<SessionModuleOptions>) {
    const app = await proxiedApp(options);
    apps.push(app);
    return app;
  }

  for (const store of ['memory', 'redis'] as const) {
    it(`an IPv6 client rotating its address within its /64 gets 429 (${store} store)`, async () => {
      const app = await appWith({
        ...(store === 'redis' && { redis: redis().url, prefix: 'guess-v6:' }),
        tokenGuessing: { maxAttempts: 3 },
      });
      const statuses: number[] = [];
      for (let i = 1; i <= 5; i++)
        statuses.push(await guess(app, `2001:db8:7:9::${i.toString(16)}`));
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Another /64 is another client.
      expect(await guess(app, '2001:db8:7:a::1')).toBe(200);
      // IPv4 is counted per full address by default: a neighbour is not punished.
      for (let i = 0; i < 4; i++) await guess(app, '203.0.113.5');
      expect(await guess(app, '203.0.113.5')).toBe(429);
      expect(await guess(app, '203.0.113.6')).toBe(200);
    });
  }

  it('the prefixes are configurable', async () => {
    const app = await appWith({
      tokenGuessing: { maxAttempts: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 48 },
    });
    const statuses = [
      await guess(app, '203.0.113.5'),
      await guess(app, '203.0.113.77'),
      await guess(app, '203.0.113.200'),
      await guess(app, '2001:db8:7:1::1'),
      await guess(app, '2001:db8:7:2::1'),
      await guess(app, '2001:db8:7:3::1'),
    ];
    expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
  });

  it('a guesser spread over two instances sharing Redis gets 429 (on by default with Redis)', async () => {
    const options = {
      redis: redis().url,
      prefix: 'guess-shared:',
      tokenGuessing: { maxAttempts: 3 },
    };
    const a = await appWith(options);
    const b = await appWith(options);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await guess(i % 2 === 0 ? a : b, '198.51.100.9'));
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    // Another client is not affected on either instance.
    expect(await guess(a, '198.51.100.10')).toBe(200);
    expect(await guess(b, '198.51.100.10')).toBe(200);
  });

  it('shared through the wrappers too: near cache and encryption over Redis', async () => {
    const options = {
      redis: redis().url,
      prefix: 'guess-wrapped:',
      nearCache: {},
      encryption: { keys: ['guess-test-encryption-key-0123456789abcdef'] },
      tokenGuessing: { maxAttempts: 2 },
    };
    const a = await appWith(options);
    const b = await appWith(options);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await guess(i % 2 === 0 ? a : b, '198.51.100.20'));
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('shared: false keeps the count per instance', async () => {
    const options = {
      redis: redis().url,
      prefix: 'guess-local:',
      tokenGuessing: { maxAttempts: 3, shared: false },
    };
    const a = await appWith(options);
    const b = await appWith(options);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await guess(i % 2 === 0 ? a : b, '198.51.100.9'));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await guess(a, '198.51.100.9')).toBe(429);
  });

  it('costs one script per unknown token and nothing for a valid one', async () => {
    const app = await appWith({
      redis: redis().url,
      prefix: 'guess-cost:',
      tokenGuessing: { maxAttempts: 3 },
    });
    const monitor = await RedisMonitor.start(redis().url);
    try {
      const jar = new CookieJar();
      const csrf = await request(app.getHttpServer()).get('/s/csrf').expect(200);
      jar.take(csrf);
      const valid = await monitor.during(() =>
        request(app.getHttpServer()).get('/s/read').set('cookie', jar.header).expect(200),
      );
      // The load script only (EVAL the first time on a connection, EVALSHA after).
      expect(valid).toHaveLength(1);
      expect(valid[0]!.name).toMatch(/^eval/);
      expect(valid[0]!.args.join(' ')).not.toContain('guess-cost:guess:');
      // One script per unknown token (a forged one costs no load).
      for (let i = 0; i < 2; i++) {
        const forged = await monitor.during(() => guess(app, '198.51.100.77'));
        expect(forged).toHaveLength(1);
        expect(forged[0]!.name).toMatch(/^eval/);
        expect(forged[0]!.args).toContain('guess-cost:guess:198.51.100.77/32');
      }
    } finally {
      await monitor.stop();
    }
  });

  // Last: it stops Redis.
  it('Redis down: the guesser is counted in the process instead (store-error emitted)', async () => {
    const app = await appWith({
      redis: redis().url,
      prefix: 'guess-down:',
      tokenGuessing: { maxAttempts: 3 },
    });
    const errors = recordEvents(app, 'store-error');
    await redis().kill();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await guess(app, '192.0.2.44'));
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(errors.map((event) => event.operation)).toContain('count unknown token');
  });
});
