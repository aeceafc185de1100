/**
 * `node bench/run.js --entry=alloc-compare --contenders=baseline,standalone --scenario=read
 * [--duration=8] [--top=30] [--no-inlining]`: runs each contender alone with V8's sampling heap
 * profiler (`bench/alloc-sampler.ts`, collected objects included) and prints the bytes allocated
 * **per request**, by area and by function, side by side: allocation is what the garbage
 * collector's share of a profile comes from. `--no-inlining` runs the contenders with
 * `--no-turbo-inlining`, so an allocation is charged to the function that makes it rather than to
 * the one it was inlined into (slower, same allocations).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandalone } from '../test/harness/standalone.js';
import { drive, sessionsFor } from './load.js';
import { flag } from './options.js';
import { installCleanupHooks, startContender } from './processes.js';
import { areaOf, shortUrl } from './profile.js';
import {
  CONTENDER_KINDS,
  type ContenderKind,
  ownScenario,
  SCENARIOS,
  type ScenarioName,
} from './protocol.js';

const SAMPLER = fileURLToPath(new URL('./alloc-sampler.js', import.meta.url));
const flagOr = (name: string, fallback: string): string => flag(process.argv, name) ?? fallback;

interface SampleNode {
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly selfSize: number;
  readonly children: readonly SampleNode[];
}

interface Column {
  readonly kind: ContenderKind;
  readonly requests: number;
  readonly bytes: number;
  readonly functions: Map<string, number>;
  readonly areas: Map<string, number>;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 200 && !existsSync(path); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!existsSync(path)) throw new Error(`no allocation profile at ${path}`);
}

async function sampleOne(
  kind: ContenderKind,
  scenario: ScenarioName,
  redisUrl: string,
  duration: number,
  noInlining: boolean,
): Promise<Column> {
  const dir = mkdtempSync(join(tmpdir(), 'nds-alloc-compare-'));
  const out = join(dir, 'profile.json');
  try {
    const contender = await startContender({
      kind,
      env: { BENCH_REDIS_URL: redisUrl, ALLOC_PROFILE_OUT: out },
      nodeFlags: [`--import=${SAMPLER}`, ...(noInlining ? ['--no-turbo-inlining'] : [])],
    });
    try {
      const cookies = await sessionsFor(kind, contender.url, 50);
      const own = ownScenario(kind, scenario);
      await drive(contender.url, own, cookies, { connections: 10, duration: 1 }); // warm-up
      process.kill(contender.pid, 'SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await drive(contender.url, own, cookies, { connections: 10, duration });
      process.kill(contender.pid, 'SIGUSR2');
      await waitForFile(out);
    } finally {
      await contender.stop();
    }
    const { requests, profile } = JSON.parse(readFileSync(out, 'utf8')) as {
      requests: number;
      profile: { head: SampleNode };
    };
    const functions = new Map<string, number>();
    const areas = new Map<string, number>();
    let bytes = 0;
    const walk = (node: SampleNode) => {
      const { functionName, url, lineNumber } = node.callFrame;
      add(
        functions,
        `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`,
        node.selfSize,
      );
      add(areas, areaOf(url, functionName), node.selfSize);
      bytes += node.selfSize;
      node.children.forEach(walk);
    };
    walk(profile.head);
    return { kind, requests, bytes, functions, areas };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(
  title: string,
  columns: readonly Column[],
  pick: (c: Column) => Map<string, number>,
  top: number,
): void {
  const names = new Set(columns.flatMap((column) => [...pick(column).keys()]));
  const rows = [...names].map((name) => ({
    name,
    values: columns.map((column) => (pick(column).get(name) ?? 0) / column.requests),
  }));
  rows.sort((a, b) => Math.max(...b.values) - Math.max(...a.values));
  console.log(`\n${title} (bytes allocated per request)`);
  console.log(`${columns.map((c) => c.kind.padStart(12)).join(' ')}  name`);
  for (const row of rows.slice(0, top)) {
    console.log(`${row.values.map((v) => v.toFixed(0).padStart(12)).join(' ')}  ${row.name}`);
  }
}

async function main(): Promise<void> {
  installCleanupHooks();
  const kinds = flagOr('contenders', 'baseline,standalone').split(',') as ContenderKind[];
  const scenario = flagOr('scenario', 'read') as ScenarioName;
  const duration = Number(flagOr('duration', '8'));
  const top = Number(flagOr('top', '30'));
  const noInlining = process.argv.includes('--no-inlining');
  if (kinds.some((kind) => !CONTENDER_KINDS.includes(kind)) || !SCENARIOS.includes(scenario)) {
    throw new Error(`unknown contender or scenario; contenders: ${CONTENDER_KINDS.join(', ')}`);
  }
  const redis = await startStandalone();
  const columns: Column[] = [];
  try {
    for (const kind of kinds) {
      columns.push(await sampleOne(kind, scenario, redis.url, duration, noInlining));
    }
  } finally {
    await redis.stop();
  }
  for (const c of columns) {
    console.log(
      `${c.kind}: ${c.requests} requests sampled, ${(c.bytes / c.requests).toFixed(0)} B allocated per request`,
    );
  }
  table('By area', columns, (c) => c.areas, top);
  table('By function', columns, (c) => c.functions, top);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
