import { Redis } from 'ioredis';
import { resolveSessionOptions } from '../../src/session/resolve-session-options.js';
import { NearCachedSessionStore } from '../../src/session/stores/near-cache/near-cached-session-store.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { useStandalone } from '../harness/index.js';
import { loadOptions, newKey, setChange } from './near-cache-fixture.js';

const redis = useStandalone();
const PREFIX = 'ncb:';

describe('near cache bounded by bytes', () => {
  let client: Redis;
  let writer: RedisSessionStore;

  beforeAll(() => {
    client = new Redis(redis().url);
    writer = new RedisSessionStore({ client, prefix: PREFIX });
  });
  afterAll(() => client.disconnect());

  async function sessionOf(chars: number) {
    const key = newKey();
    const change = setChange(
      { blob: 'x'.repeat(chars) },
      { create: { absoluteDeadline: Date.now() + 600_000 } },
    );
    expect((await writer.commit(key, change)).status).toBe('committed');
    return key;
  }

  async function cacheWith(options: { maxBytes?: number }) {
    const own = new Redis(redis().url);
    const store = new NearCachedSessionStore(
      new RedisSessionStore({ client: own, prefix: PREFIX }),
      own,
      { channel: `${PREFIX}invalidate`, ...options },
    );
    expect(await store.ready(5000)).toBe(true);
    return {
      store,
      close: async () => {
        await store.close();
        own.disconnect();
      },
    };
  }

  it('keeps 64 MiB per instance by default', () => {
    const resolved = resolveSessionOptions({
      secrets: ['s'.repeat(32)],
      redis: redis().url,
      nearCache: {},
    });
    expect(resolved.nearCache?.maxBytes).toBe(64 * 1024 * 1024);
  });

  it('evicts the least recently used sessions once their bytes pass maxBytes', async () => {
    const { store, close } = await cacheWith({ maxBytes: 1_000_000 });
    try {
      const keys = [];
      for (let i = 0; i < 30; i++) keys.push(await sessionOf(40_000));
      for (const key of keys) await store.load(key, loadOptions());
      const { bytes, size } = store.stats();
      expect(bytes).toBeLessThanOrEqual(1_000_000);
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThan(30);
      const before = store.stats();
      await store.load(keys[29]!, loadOptions()); // most recent: still here
      await store.load(keys[0]!, loadOptions()); // least recent: evicted
      expect(store.stats().hits - before.hits).toBe(1);
      expect(store.stats().misses - before.misses).toBe(1);
    } finally {
      await close();
    }
  });

  it('never caches a session larger than maxBytes', async () => {
    const { store, close } = await cacheWith({ maxBytes: 50_000 });
    try {
      const key = await sessionOf(40_000); // 80 KB as UTF-16
      await store.load(key, loadOptions());
      await store.load(key, loadOptions());
      expect(store.stats()).toMatchObject({ hits: 0, misses: 2, size: 0, bytes: 0 });
    } finally {
      await close();
    }
  });
});
