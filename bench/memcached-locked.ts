/**
 * `node bench/run.js --entry=memcached-locked [--lib=REV]`: the Memcached store's locked
 * increment (`loadLocked`, a commit with the fence, the release) against its unlocked increment
 * (`load`, a commit), through the store API on one memcached on loopback, in alternating rounds.
 * Prints the time per increment of each and their ratio, round by round and as the median: the
 * unlocked increment (2 round trips) is the baseline measured in the same run. Bounded: 8 rounds
 * of 1,000 increments each.
 */
import { createSessionToken, sessionKeyOf } from '../src/security/session-token.js';
import { MemcachedSessionStore } from '../src/session/stores/memcached/index.js';
import type { LockSettings, SessionKey } from '../src/session/stores/session-store.js';
import { startMemcached } from '../test/harness/memcached.js';

const ROUNDS = 8;
const PER_ROUND = 1000;
const HOUR = 3_600_000;
/** The module's default lock options. */
const LOCK: LockSettings = {
  durationMs: 5000,
  retryCount: 40,
  retryDelayMs: 50,
  retryJitterMs: 50,
  timeoutStatus: 423,
};
const loading = (now: number) => ({ now, idleTimeoutMs: HOUR, slideAfterMs: HOUR });

function counterOf(data: Readonly<Record<string, string>>): number {
  return Number(JSON.parse(data.counter ?? '0'));
}

async function unlocked(store: MemcachedSessionStore, key: SessionKey): Promise<void> {
  const now = Date.now();
  const loaded = await store.load(key, loading(now));
  if (loaded.status !== 'found') throw new Error(`load: ${loaded.status}`);
  const next = JSON.stringify(counterOf(loaded.session.data) + 1);
  const committed = await store.commit(key, {
    now,
    idleTimeoutMs: HOUR,
    set: { counter: next },
    delete: [],
  });
  if (committed.status !== 'committed') throw new Error(`commit: ${committed.status}`);
}

async function locked(store: MemcachedSessionStore, key: SessionKey): Promise<void> {
  const now = Date.now();
  const { result, lock } = await store.loadLocked(key, LOCK, loading(now));
  if (result.status !== 'found' || !lock) throw new Error(`loadLocked: ${result.status}`);
  const next = JSON.stringify(counterOf(result.session.data) + 1);
  const committed = await store.commit(key, {
    now,
    idleTimeoutMs: HOUR,
    set: { counter: next },
    delete: [],
    fence: result.session.meta.fence,
    releaseLock: lock,
  });
  if (!lock.releasableByCommit) await lock.release();
  if (committed.status !== 'committed') throw new Error(`commit: ${committed.status}`);
}

async function msPer(
  increment: (store: MemcachedSessionStore, key: SessionKey) => Promise<void>,
  store: MemcachedSessionStore,
  key: SessionKey,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < PER_ROUND; i += 1) await increment(store, key);
  return (performance.now() - started) / PER_ROUND;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const server = await startMemcached();
const store = new MemcachedSessionStore({ servers: server.address });
try {
  const key = sessionKeyOf(createSessionToken());
  const now = Date.now();
  await store.commit(key, {
    now,
    idleTimeoutMs: HOUR,
    create: { absoluteDeadline: now + 24 * HOUR },
    set: { counter: '0' },
    delete: [],
  });
  await msPer(unlocked, store, key); // warm-up
  await msPer(locked, store, key);
  const ratios: number[] = [];
  const [plain, held]: [number[], number[]] = [[], []];
  for (let round = 1; round <= ROUNDS; round += 1) {
    const a = await msPer(unlocked, store, key);
    const b = await msPer(locked, store, key);
    plain.push(a);
    held.push(b);
    ratios.push(b / a);
    console.log(
      `round ${round}: unlocked ${a.toFixed(3)} ms, locked ${b.toFixed(3)} ms, ${(b / a).toFixed(2)}x`,
    );
  }
  console.log(
    `library ${process.env.BENCH_LIBRARY ?? 'working tree'}: per increment, median of ` +
      `${ROUNDS} rounds of ${PER_ROUND}: unlocked ${median(plain).toFixed(3)} ms, locked ` +
      `${median(held).toFixed(3)} ms; locked / unlocked ${median(ratios).toFixed(2)}x`,
  );
} finally {
  await store.close();
  await server.stop();
}
