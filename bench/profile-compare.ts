/**
 * `node bench/run.js --entry=profile-compare --contenders=baseline,memory --scenario=read
 * [--duration=8] [--top=40]`: runs each contender alone under `node --cpu-prof` and prints the
 * self time of its busiest functions and areas **per request** (µs), side by side, so that a
 * change can be justified by where the time went before and after. The profile spans the whole
 * process (boot and warm-up included); a long enough run keeps those small.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drive, sessionsFor } from './load.js';
import { flag } from './options.js';
import { installCleanupHooks, startContender } from './processes.js';
import { summarizeProfile } from './profile.js';
import { type ContenderKind, ownScenario, type ScenarioName } from './protocol.js';
import { eachContenderAlone, printSideBySide } from './side-by-side.js';

const flagOr = (name: string, fallback: string): string => flag(process.argv, name) ?? fallback;

interface Column {
  readonly kind: ContenderKind;
  readonly requests: number;
  readonly busyUs: number;
  readonly functions: Map<string, number>;
  readonly areas: Map<string, number>;
}

async function profileOne(
  kind: ContenderKind,
  scenario: ScenarioName,
  redisUrl: string,
  duration: number,
  top: number,
): Promise<Column> {
  const dir = mkdtempSync(join(tmpdir(), 'nds-prof-compare-'));
  try {
    const contender = await startContender({
      kind,
      env: { BENCH_REDIS_URL: redisUrl },
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'],
    });
    let requests = 0;
    try {
      const cookies = await sessionsFor(kind, contender.url, 50);
      const own = ownScenario(kind, scenario);
      const run = await drive(contender.url, own, cookies, { connections: 10, duration });
      requests = run.requests;
    } finally {
      await contender.stop();
    }
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`${kind} wrote no .cpuprofile`);
    const summary = summarizeProfile(join(dir, file), top);
    return {
      kind,
      requests,
      busyUs: summary.busyMs * 1000,
      functions: new Map(summary.topFunctions.map((entry) => [entry.name, entry.ms * 1000])),
      areas: new Map(summary.byArea.map((entry) => [entry.name, entry.ms * 1000])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  installCleanupHooks();
  const kinds = flagOr('contenders', 'baseline,memory').split(',') as ContenderKind[];
  const scenario = flagOr('scenario', 'read') as ScenarioName;
  const duration = Number(flagOr('duration', '8'));
  const top = Number(flagOr('top', '40'));
  const columns = await eachContenderAlone(kinds, scenario, (kind, redisUrl) =>
    profileOne(kind, scenario, redisUrl, duration, top),
  );
  console.log(
    columns
      .map(
        (c) =>
          `${c.kind}: ${c.requests} requests, ${(c.busyUs / c.requests).toFixed(0)} µs busy/request`,
      )
      .join('\n'),
  );
  printSideBySide('By area (µs of self time per request)', columns, (c) => c.areas, { digits: 1 });
  printSideBySide('By function (µs of self time per request)', columns, (c) => c.functions, {
    digits: 1,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
