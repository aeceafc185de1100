import type { INestApplication } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { createManagementApp, type RecordedEvent } from './management-test-app.js';
import {
  Client,
  describePrincipalSessionScenarios,
  freshUser,
} from './principal-sessions-scenarios.js';

const redis = useStandalone();

describe('principal sessions on real Redis (standalone, two instances)', () => {
  let a: INestApplication;
  let b: INestApplication;
  let eventsOfA: RecordedEvent[];

  beforeAll(async () => {
    ({ app: a, events: eventsOfA } = await createManagementApp({
      redis: redis().url,
      prefix: 'ps:',
    }));
    ({ app: b } = await createManagementApp({ redis: redis().url, prefix: 'ps:' }));
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  describePrincipalSessionScenarios({ a: () => a, b: () => b, eventsOfA: () => eventsOfA });

  describe('index in Redis', () => {
    let admin: Redis;
    let monitor: RedisMonitor;
    beforeAll(async () => {
      admin = new Redis(redis().url);
      monitor = await RedisMonitor.start(redis().url);
    });
    afterAll(async () => {
      await monitor.stop();
      await admin.quit();
    });

    it('keeps a sorted set per principal scored by the absolute deadline, with a TTL', async () => {
      const user = freshUser();
      const client = new Client();
      const handle = await client.signIn(a, user);
      const key = `ps:user:{${user}}`;
      const [member, score] = await admin.zrange(key, '0', '-1', 'WITHSCORES');
      expect(member).toBe(handle);
      const [created, absolute] = await admin.hmget(
        `ps:{${handle.split('.')[0]}}${handle.split('.')[1]}`,
        'c',
        'x',
      );
      expect(Number(score)).toBe(Number(absolute));
      expect(Number(absolute)).toBe(Number(created) + 8 * 3_600_000);
      expect(await admin.pexpiretime(key)).toBe(Number(score));
    });

    it('costs no index command on requests that keep principal and key', async () => {
      const client = new Client();
      await client.signIn(a, freshUser());
      const reading = await monitor.during(() => client.me(b));
      expect(reading.map((c) => c.name)).toEqual(['evalsha']);
      const writing = await monitor.during(() =>
        request(b.getHttpServer())
          .put('/m/set')
          .set('cookie', client.jar.header)
          .send({ x: 1 })
          .expect(200),
      );
      expect(writing.map((c) => c.name)).toEqual(['evalsha', 'evalsha']);
      expect(writing.flatMap((c) => c.args).some((arg) => arg.includes('user:{'))).toBe(false);
    });

    it('costs one index command at sign-in and one at sign-out', async () => {
      const client = new Client();
      const user = freshUser();
      const signIn = await monitor.during(() => client.signIn(a, user));
      expect(signIn.filter((c) => c.args.includes(`ps:user:{${user}}`))).toHaveLength(1);
      const signOut = await monitor.during(() =>
        request(a.getHttpServer()).post('/m/sign-out').set('cookie', client.jar.header).expect(200),
      );
      expect(signOut.filter((c) => c.args.includes(`ps:user:{${user}}`))).toHaveLength(1);
      expect(await admin.exists(`ps:user:{${user}}`)).toBe(0);
    });

    it('prunes members whose session expired, lazily, when the list is read', async () => {
      const user = freshUser();
      const keeper = new Client();
      const leaver = new Client();
      await keeper.signIn(a, user);
      const gone = await leaver.signIn(a, user);
      const [tag, hash] = gone.split('.');
      await admin.del(`ps:{${tag}}${hash}`); // as if Redis had expired it
      expect((await keeper.list(b)).map((r) => r.handle)).not.toContain(gone);
      expect(await admin.zscore(`ps:user:{${user}}`, gone)).toBeNull();
    });
  });

  describe('cap of 2 sessions, sign-out-oldest', () => {
    let capped: INestApplication;
    let events: RecordedEvent[];
    beforeAll(async () => {
      ({ app: capped, events } = await createManagementApp({
        redis: redis().url,
        prefix: 'cap1:',
        principalSessions: { limit: 2, trackClientIp: true },
      }));
    });
    afterAll(() => capped.close());

    it('signs the oldest session out at the third sign-in', async () => {
      const user = freshUser();
      const [first, second, third] = [new Client(), new Client(), new Client()];
      const firstId = await first.signIn(capped, user);
      const secondId = await second.signIn(capped, user);
      const thirdId = await third.signIn(capped, user);
      const rows = await third.list(capped);
      expect(rows.map((r) => r.handle).sort()).toEqual([secondId, thirdId].sort());
      expect(rows[0]!.clientIp).toBe('127.0.0.1');
      expect((await first.me(capped)).principal).toBeNull();
      expect((await second.me(capped)).principal).toEqual({ id: user });
      expect(events.some((e) => e.name === 'revoked' && e.event.sessionId === firstId)).toBe(true);
    });

    it('does not count a re-sign-in of the same session twice', async () => {
      const user = freshUser();
      const [first, second] = [new Client(), new Client()];
      await first.signIn(capped, user);
      await second.signIn(capped, user);
      await second.signIn(capped, user);
      expect((await first.me(capped)).principal).toEqual({ id: user });
      expect(await second.list(capped)).toHaveLength(2);
    });
  });

  describe('cap of 2 sessions, refuse', () => {
    let capped: INestApplication;
    beforeAll(async () => {
      ({ app: capped } = await createManagementApp({
        redis: redis().url,
        prefix: 'cap2:',
        principalSessions: { limit: 2, onLimit: 'refuse' },
      }));
    });
    afterAll(() => capped.close());

    it('refuses the third sign-in with 409 and keeps the first two', async () => {
      const user = freshUser();
      const [first, second, third] = [new Client(), new Client(), new Client()];
      const ids = [await first.signIn(capped, user), await second.signIn(capped, user)];
      const refused = await request(capped.getHttpServer())
        .post('/m/sign-in')
        .set('cookie', third.jar.header)
        .send({ id: user })
        .expect(409);
      expect(refused.body.error).toBe('SessionLimitError');
      expect((await third.me(capped)).principal).toBeNull();
      expect((await first.list(capped)).map((r) => r.handle).sort()).toEqual(ids.sort());
      // Once one signs out, a new sign-in is admitted.
      await request(capped.getHttpServer())
        .post('/m/sign-out')
        .set('cookie', first.jar.header)
        .expect(200);
      await third.signIn(capped, user);
    });
  });
});
