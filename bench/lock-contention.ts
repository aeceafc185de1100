/**
 * `node bench/run.js --entry=lock-contention`: one session, 300 `@SessionLock()` increments fired
 * at once (spread over three app processes on one standalone Redis; one process on the memory
 * store), against the same 300 sent one after the other. Default lock options. Prints, per
 * topology and run: refused requests, the final counter, and both durations. Bounded: every
 * request gives up after 20 s, and the whole run is a few seconds.
 */
import { startStandalone } from '../test/harness/standalone.js';
import { createSessions } from './load.js';
import { availableParallelism } from 'node:os';
import {
  canPin,
  type ContenderProcess,
  installCleanupHooks,
  pin,
  startContender,
} from './processes.js';

const REQUESTS = 300;
/** As in `npm run bench`: the app processes share core 1, Redis and this driver core 0. */
const PINNED = canPin(availableParallelism());
const RUNS = 3;

interface Outcome {
  readonly ms: number;
  readonly ok: number;
  readonly statuses: Record<string, number>;
  readonly counter: number;
}

async function increment(url: string, cookie: string): Promise<number> {
  try {
    const response = await fetch(`${url}/increment`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(20_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function counterOf(url: string, cookie: string): Promise<number> {
  const response = await fetch(`${url}/increment`, { method: 'POST', headers: { cookie } });
  return ((await response.json()) as { value: number }).value - 1;
}

async function measure(apps: readonly ContenderProcess[], concurrent: boolean): Promise<Outcome> {
  const [cookie] = await createSessions(apps[0]!.url, 1, 1);
  const url = (i: number) => apps[i % apps.length]!.url;
  const started = performance.now();
  let statuses: number[];
  if (concurrent) {
    statuses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) => increment(url(i), cookie!)),
    );
  } else {
    statuses = [];
    for (let i = 0; i < REQUESTS; i++) statuses.push(await increment(url(i), cookie!));
  }
  const ms = performance.now() - started;
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return {
    ms,
    ok: counts['200'] ?? 0,
    statuses: counts,
    counter: await counterOf(apps[0]!.url, cookie!),
  };
}

function line(label: string, outcome: Outcome): string {
  const statuses = Object.entries(outcome.statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return `${label.padEnd(11)} ${outcome.ms.toFixed(0).padStart(6)} ms  ${statuses.padEnd(18)} counter ${outcome.counter}`;
}

async function scenario(name: string, apps: readonly ContenderProcess[]): Promise<void> {
  console.log(`\n${name}`);
  for (let run = 1; run <= RUNS; run++) {
    const sequential = await measure(apps, false);
    const concurrent = await measure(apps, true);
    console.log(`run ${run}`);
    console.log(`  ${line('sequential', sequential)}`);
    console.log(`  ${line('concurrent', concurrent)}`);
    console.log(`  concurrent / sequential: ${(concurrent.ms / sequential.ms).toFixed(2)}`);
  }
}

async function main(): Promise<void> {
  installCleanupHooks();
  const redis = await startStandalone();
  const cpus = PINNED ? '1' : undefined;
  if (PINNED) pin([...redis.pids(), process.pid], '0');
  console.log(PINNED ? 'apps pinned to core 1, Redis and driver to core 0' : 'unpinned');
  try {
    const env = { BENCH_REDIS_URL: redis.url };
    const locked = await Promise.all(
      [0, 1, 2].map(() => startContender({ kind: 'locked', env, cpus })),
    );
    await scenario('standalone Redis, 3 app processes', locked);
    await Promise.all(locked.map((app) => app.stop()));
    const memory = await startContender({ kind: 'memory', env: { BENCH_LOCKED: '1' }, cpus });
    await scenario('memory store, 1 app process', [memory]);
    await memory.stop();
  } finally {
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
