import { Redis } from 'ioredis';
import { MemorySessionStore } from '../../src/session/stores/memory/memory-session-store.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import type { SessionStore } from '../../src/session/stores/session-store.js';
import { useStandalone } from '../harness/index.js';
import { newKey, setChange } from './near-cache-fixture.js';

const redis = useStandalone();

// What a near cache must drop: every key a commit or destroy wrote or deleted, also through a
// rotation's grace pointer. Memory and Redis stores report the same.
describe.each([
  ['MemorySessionStore', () => ({ store: new MemorySessionStore(), done: () => undefined })],
  [
    'RedisSessionStore',
    () => {
      const client = new Redis(redis().url);
      return {
        store: new RedisSessionStore({ client, prefix: 'rep:' }) as SessionStore,
        done: () => client.disconnect(),
      };
    },
  ],
] as const)('%s reports the keys it wrote and deleted', (_name, open) => {
  let store: SessionStore;
  let done: () => void;
  beforeAll(() => ({ store, done } = open()));
  afterAll(() => done());

  async function rotated() {
    const oldKey = newKey();
    const current = newKey(oldKey.tag);
    const create = { create: { absoluteDeadline: Date.now() + 600_000 } };
    expect((await store.commit(oldKey, setChange({ n: 0 }, create))).status).toBe('committed');
    const move = setChange({}, { moveTo: current, rotation: { graceMs: 60_000 } });
    expect(await store.commitReporting(oldKey, move)).toEqual({
      result: expect.objectContaining({ status: 'committed' }),
      writtenKey: current,
    });
    return { oldKey, current };
  }

  it('a commit in place names no other key', async () => {
    const { current } = await rotated();
    const report = await store.commitReporting(current, setChange({ n: 1 }));
    expect(report.writtenKey).toBeUndefined();
  });

  it('a commit through a grace pointer names the key it landed on', async () => {
    const { oldKey, current } = await rotated();
    const report = await store.commitReporting(oldKey, setChange({ n: 1 }));
    expect(report).toEqual({
      result: expect.objectContaining({ status: 'committed', aliased: true }),
      writtenKey: current,
    });
  });

  it('a destroy through a grace pointer names the pointer and the session it deleted', async () => {
    const { oldKey, current } = await rotated();
    expect(await store.destroyReporting(oldKey)).toEqual({
      existed: true,
      deletedKeys: [oldKey, current],
    });
    expect(await store.destroyReporting(current)).toEqual({
      existed: false,
      deletedKeys: [current],
    });
  });
});
