/// <reference types="jest" />
import { Cluster, type Redis } from 'ioredis';
import { RedisSessionStore, type SessionStore } from '../../index.js';
import { renewSessionToken, sessionKeyOf } from '../../security/session-token.js';
import {
  type ConformanceSuite,
  creating,
  freshSession,
  futureNow,
  HOUR,
  json,
  loadFound,
  loadingAt,
  updating,
} from './conformance-helpers.js';

/** Every key matching `pattern`, on every master of a Cluster or on the one server otherwise. */
async function scanKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}

/** The prefix a Redis store writes its keys under (`keyOf` is `prefix{tag}secretHash`). */
function prefixOf(store: RedisSessionStore): string {
  return store.keyOf({ tag: '', secretHash: '' }).slice(0, -'{}'.length);
}

/** Checks PTTL of `redisKey` against `expiresAt` on the real clock. */
async function expectTtlNear(redis: RedisSessionStore, redisKey: string, expiresAt: number) {
  const before = Date.now();
  const pttl = await redis.client.pttl(redisKey);
  const after = Date.now();
  expect(pttl).toBeGreaterThan(0);
  expect(pttl).toBeGreaterThanOrEqual(expiresAt - after - 50);
  expect(pttl).toBeLessThanOrEqual(expiresAt - before + 50);
}

/** The Redis-only cases (key TTL, key layout): the store must be a {@link RedisSessionStore}. */
export function describeRedisKeyLayout(suite: ConformanceSuite): void {
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  describe('Redis key layout and expiry', () => {
    function redisStore(): RedisSessionStore {
      expect(store).toBeInstanceOf(RedisSessionStore);
      if (!(store instanceof RedisSessionStore)) throw new Error('not a RedisSessionStore');
      return store;
    }

    it('sets the key TTL to min(now + idle, absolute deadline) − real now', async () => {
      const redis = redisStore();
      const idleFirst = freshSession();
      let now = Date.now();
      await expect(
        redis.commit(
          idleFirst.key,
          creating(
            now,
            { a: json(1) },
            { idleTimeoutMs: 60_000, create: { absoluteDeadline: now + HOUR } },
          ),
        ),
      ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: now + 60_000 });
      await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 60_000);

      const absoluteFirst = freshSession();
      now = Date.now();
      await redis.commit(
        absoluteFirst.key,
        creating(now, {}, { idleTimeoutMs: 60_000, create: { absoluteDeadline: now + 5000 } }),
      );
      await expectTtlNear(redis, redis.keyOf(absoluteFirst.key), now + 5000);

      // An update re-arms the expiry from its own `now`.
      now = Date.now();
      await expect(
        redis.commit(
          idleFirst.key,
          updating(now + 2000, { b: json(2) }, [], {
            idleTimeoutMs: 20_000,
          }),
        ),
      ).resolves.toMatchObject({ status: 'committed', expiresAt: now + 22_000 });
      await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 22_000);

      // A slide does too; a load that does not slide leaves it.
      now = Date.now();
      await loadFound(
        redis,
        idleFirst.key,
        loadingAt(now + 5000, { idleTimeoutMs: 30_000, slideAfterMs: 0 }),
      );
      await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 35_000);
      await loadFound(redis, idleFirst.key, loadingAt(now + 6000, { idleTimeoutMs: 50_000 }));
      await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 35_000);
    });

    it('keeps a TTL on the key a session was moved to', async () => {
      const redis = redisStore();
      const { token, key } = freshSession();
      const newKey = sessionKeyOf(renewSessionToken(token));
      const now = Date.now();
      await redis.commit(key, creating(now, { a: json(1) }));
      await redis.commit(key, updating(now, {}, [], { moveTo: newKey, idleTimeoutMs: 40_000 }));
      expect(await redis.client.exists(redis.keyOf(key))).toBe(0);
      await expectTtlNear(redis, redis.keyOf(newKey), now + 40_000);
    });

    it('names keys by the hash of the secret, never the raw secret', async () => {
      const redis = redisStore();
      const { token, key } = freshSession();
      const moved = renewSessionToken(token);
      const now = futureNow();
      await redis.commit(key, creating(now, { token: json('not the secret') }));
      const prefix = prefixOf(redis);
      let keys = await scanKeys(redis.client, `${prefix}*`);
      expect(keys).toContain(redis.keyOf(key));
      expect(redis.keyOf(key)).toBe(`${prefix}{${token.tag}}${key.secretHash}`);
      for (const name of keys) expect(name.includes(token.secret)).toBe(false);
      const fields = await redis.client.hgetall(redis.keyOf(key));
      expect(Object.entries(fields).flat().join('\n').includes(token.secret)).toBe(false);

      await redis.commit(key, updating(now + 1, {}, [], { moveTo: sessionKeyOf(moved) }));
      keys = await scanKeys(redis.client, `${prefix}*`);
      expect(keys).toContain(redis.keyOf(sessionKeyOf(moved)));
      expect(keys).not.toContain(redis.keyOf(key));
      for (const name of keys) {
        expect(name.startsWith(prefix)).toBe(true);
        expect(name.includes(token.secret)).toBe(false);
        expect(name.includes(moved.secret)).toBe(false);
      }
    });

    it('removes the Redis key on destroy and on expiry', async () => {
      const redis = redisStore();
      const { key } = freshSession();
      const now = futureNow();
      await redis.commit(key, creating(now));
      expect(await redis.client.exists(redis.keyOf(key))).toBe(1);
      await expect(redis.destroy(key)).resolves.toBe(true);
      expect(await redis.client.exists(redis.keyOf(key))).toBe(0);
      await expect(redis.destroy(key)).resolves.toBe(false);

      const expiring = freshSession();
      await redis.commit(expiring.key, creating(now));
      await expect(redis.load(expiring.key, loadingAt(now + HOUR))).resolves.toEqual({
        status: 'expired',
      });
      expect(await redis.client.exists(redis.keyOf(expiring.key))).toBe(0);
    });
  });
}
