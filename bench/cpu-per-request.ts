/**
 * `node bench/run.js --entry=cpu-per-request [--contenders=a,b+FLAG,c@DIR] [--scenario=read]
 * [--rounds=3] [--duration=3]`: the app's CPU time per request (utime + stime of the contender process, from
 * `/proc/<pid>/stat`, over a timed run, divided by the requests it served). On a shared machine
 * this is far steadier than req/s, which also depends on what else runs. The rounds interleave
 * the contenders, so that a change of load touches all of them alike. Linux only.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStandalone } from '../test/harness/standalone.js';
import { drive, sessionsFor } from './load.js';
import { flag } from './options.js';
import { type ContenderProcess, installCleanupHooks, startContender } from './processes.js';
import {
  CONTENDER_KINDS,
  type ContenderKind,
  ownScenario,
  SCENARIOS,
  type ScenarioName,
} from './protocol.js';

const CLOCK_TICKS_PER_SECOND = 100;

const flagOr = (name: string, fallback: string): string => flag(process.argv, name) ?? fallback;

/** User + system CPU of a process so far, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function main(): Promise<void> {
  installCleanupHooks();
  // `kind+NAME` runs `kind` with the environment variable NAME=1 (an A/B switch under test);
  // `kind@DIR` runs the contender compiled in DIR (another revision's `bench/dist`), so that two
  // builds are compared in the same interleaved rounds.
  const specs = flagOr('contenders', 'baseline,memory').split(',');
  const kindOf = (spec: string) => spec.split(/[+@]/)[0] as ContenderKind;
  const scriptOf = (spec: string) => {
    const dir = spec.split('@')[1];
    return dir ? resolve(dir, 'bench', 'contender.js') : undefined;
  };
  const flagsOf = (spec: string) =>
    Object.fromEntries(
      (spec.split('@')[0] ?? '')
        .split('+')
        .slice(1)
        .map((name) => [name, '1']),
    );
  const kinds = specs.map(kindOf);
  const scenario = flagOr('scenario', 'read') as ScenarioName;
  const rounds = Number(flagOr('rounds', '3'));
  const duration = Number(flagOr('duration', '3'));
  if (kinds.some((kind) => !CONTENDER_KINDS.includes(kind)) || !SCENARIOS.includes(scenario)) {
    throw new Error(`unknown contender or scenario; contenders: ${CONTENDER_KINDS.join(', ')}`);
  }
  if (kinds.includes('cluster')) throw new Error('the cluster contender is not supported here');
  const redis = await startStandalone();
  const samples = new Map<string, number[]>(specs.map((spec) => [spec, []]));
  const running: {
    spec: string;
    contender: ContenderProcess;
    scenario: ScenarioName;
    cookies: string[];
  }[] = [];
  try {
    // Every contender runs for the whole measurement and the rounds take turns in short runs,
    // so that a change of the machine's load touches all of them alike.
    for (const spec of specs) {
      const kind = kindOf(spec);
      const contender = await startContender({
        kind,
        env: { ...flagsOf(spec), BENCH_REDIS_URL: redis.url },
        script: scriptOf(spec),
      });
      // Listed before its sessions are made, so that a failure still stops it.
      const entry = {
        spec,
        contender,
        scenario: ownScenario(kind, scenario),
        cookies: [] as string[],
      };
      running.push(entry);
      entry.cookies = await sessionsFor(kind, contender.url, 50);
      await drive(contender.url, entry.scenario, entry.cookies, { connections: 10, duration: 1 });
    }
    for (let round = 0; round < rounds; round++) {
      for (const { spec, contender, scenario: own, cookies } of running) {
        const before = cpuSeconds(contender.pid);
        const run = await drive(contender.url, own, cookies, { connections: 10, duration });
        const micros = ((cpuSeconds(contender.pid) - before) * 1e6) / run.requests;
        samples.get(spec)?.push(micros);
        const failed = run.errors + run.non2xx;
        console.log(
          `round ${round + 1} ${spec} ${own}: ${micros.toFixed(0)} us CPU/request` +
            ` (${run.requests} requests${failed ? `, ${failed} failed` : ''})`,
        );
      }
    }
  } finally {
    await Promise.all(running.map(({ contender }) => contender.stop()));
    await redis.stop();
  }
  const first = samples.get(specs[0] ?? '') ?? [];
  const median = (values: readonly number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  for (const [spec, values] of samples) {
    // The least of the rounds is the least disturbed by other work on a shared machine; the
    // ratio to the first contender is taken round by round (runs next to each other in time).
    const least = Math.min(...values);
    const paired = median(values.map((value, round) => value / (first[round] ?? Number.NaN)));
    console.log(
      `${spec}: median ${median(values).toFixed(0)} us, least ${least.toFixed(0)} us CPU/request` +
        ` of ${scenario}; × ${specs[0]} (median of the rounds' ratios) ${paired.toFixed(3)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
