/**
 * `node bench/run.js --entry=cpu-per-request [--contenders=a,b] [--scenario=read] [--rounds=3]
 * [--duration=3]`: the app's CPU time per request (utime + stime of the contender process, from
 * `/proc/<pid>/stat`, over a timed run, divided by the requests it served). On a shared machine
 * this is far steadier than req/s, which also depends on what else runs. The rounds interleave
 * the contenders, so that a change of load touches all of them alike. Linux only.
 */
import { readFileSync } from 'node:fs';
import { startStandalone } from '../test/harness/standalone.js';
import { createCartSessions, createSessions, drive } from './load.js';
import { installCleanupHooks, startContender } from './processes.js';
import {
  BASELINE_KINDS,
  CONTENDER_KINDS,
  type ContenderKind,
  SAMPLE_KINDS,
  SCENARIOS,
  type ScenarioName,
  scenariosOf,
} from './protocol.js';

const CLOCK_TICKS_PER_SECOND = 100;

function flag(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

/** User + system CPU of a process so far, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function main(): Promise<void> {
  installCleanupHooks();
  const kinds = flag('contenders', 'baseline,memory').split(',') as ContenderKind[];
  const scenario = flag('scenario', 'read') as ScenarioName;
  const rounds = Number(flag('rounds', '3'));
  const duration = Number(flag('duration', '3'));
  if (kinds.some((kind) => !CONTENDER_KINDS.includes(kind)) || !SCENARIOS.includes(scenario)) {
    throw new Error(`unknown contender or scenario; contenders: ${CONTENDER_KINDS.join(', ')}`);
  }
  if (kinds.includes('cluster')) throw new Error('the cluster contender is not supported here');
  const redis = await startStandalone();
  const samples = new Map<ContenderKind, number[]>(kinds.map((kind) => [kind, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const kind of kinds) {
        const contender = await startContender({ kind, env: { BENCH_REDIS_URL: redis.url } });
        try {
          const cookies = BASELINE_KINDS.includes(kind)
            ? ['bench=none']
            : SAMPLE_KINDS.includes(kind)
              ? await createCartSessions(contender.url, 50)
              : await createSessions(contender.url, 50);
          // The sample app and its anchor serve the cart scenario only.
          const own = scenariosOf(kind).includes(scenario) ? scenario : 'cart';
          const settings = { connections: 10, duration: 1 };
          await drive(contender.url, own, cookies, settings);
          const before = cpuSeconds(contender.pid);
          const run = await drive(contender.url, own, cookies, { ...settings, duration });
          const micros = ((cpuSeconds(contender.pid) - before) * 1e6) / run.requests;
          samples.get(kind)?.push(micros);
          const failed = run.errors + run.non2xx;
          console.log(
            `round ${round + 1} ${kind} ${own}: ${micros.toFixed(0)} us CPU/request` +
              ` (${run.requests} requests${failed ? `, ${failed} failed` : ''})`,
          );
        } finally {
          await contender.stop();
        }
      }
    }
  } finally {
    await redis.stop();
  }
  for (const [kind, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    console.log(`${kind}: median ${median.toFixed(0)} us CPU/request of ${scenario}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
