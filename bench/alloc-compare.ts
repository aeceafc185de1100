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
import { drive, sessionsFor } from './load.js';
import { flag } from './options.js';
import { installCleanupHooks, startContender } from './processes.js';
import { areaOf, shortUrl } from './profile.js';
import { type ContenderKind, ownScenario, type ScenarioName } from './protocol.js';
import { eachContenderAlone, printSideBySide } from './side-by-side.js';

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

async function main(): Promise<void> {
  installCleanupHooks();
  const kinds = flagOr('contenders', 'baseline,standalone').split(',') as ContenderKind[];
  const scenario = flagOr('scenario', 'read') as ScenarioName;
  const duration = Number(flagOr('duration', '8'));
  const top = Number(flagOr('top', '30'));
  const noInlining = process.argv.includes('--no-inlining');
  const columns = await eachContenderAlone(kinds, scenario, (kind, redisUrl) =>
    sampleOne(kind, scenario, redisUrl, duration, noInlining),
  );
  for (const c of columns) {
    const perRequest = (c.bytes / c.requests).toFixed(0);
    console.log(`${c.kind}: ${c.requests} requests sampled, ${perRequest} B allocated per request`);
  }
  const options = { digits: 0, top };
  printSideBySide('By area (bytes allocated per request)', columns, (c) => c.areas, options);
  printSideBySide(
    'By function (bytes allocated per request)',
    columns,
    (c) => c.functions,
    options,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
