/**
 * `npm run bench`: starts its own redis-server (and, for one contender, a 3-master Cluster), starts
 * every contender as its own process, drives them in turns with autocannon and prints one table. Redis and the
 * load generator share core 0, the contender app has core 1 (`taskset`, where available).
 * Results: `bench/results/<mode>.json`, `.md` and `.svg`. See bench/README.md.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startCluster, type RedisClusterHarness } from '../test/harness/cluster.js';
import { startStandalone } from '../test/harness/standalone.js';
import {
  checkSessions,
  createSessions,
  drive,
  drivePaced,
  fire,
  once,
  sessionsFor,
  type RunResult,
} from './load.js';
import { parseOptions, type BenchOptions } from './options.js';
import {
  canPin,
  type ContenderProcess,
  installCleanupHooks,
  pin,
  startContender,
} from './processes.js';
import { summarizeProfile, type ProfileSummary } from './profile.js';
import {
  BASELINE_KINDS,
  CONTENDER_LABELS,
  type ContenderKind,
  REDIS_KINDS,
  SAMPLE_KINDS,
  type ScenarioName,
  scenariosOf,
} from './protocol.js';
import {
  appCommands,
  commandStats,
  monitorCommands,
  type RedisNodeAddress,
  resetStats,
  sessionMemory,
  type SessionMemory,
  sum,
  usedMemory,
} from './redis-stats.js';
import { report } from './report.js';
import { runScale } from './scale.js';

export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

export interface ScenarioResult {
  readonly scenario: ScenarioName | 'read-half-rate';
  /** Medians over the runs. */
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly runs: readonly RunResult[];
  /** Requests per second asked for (half-rate scenario only). */
  readonly targetRate?: number;
  /** Over the measured runs, from INFO commandstats: every call, script-internal ones included. */
  readonly commandstatsPerRequest?: Record<string, number>;
  readonly commandstatsCallsPerRequest?: number;
  /** Sequential requests under MONITOR: commands clients sent (not what scripts called). */
  readonly clientCommandsPerRequest?: number;
  readonly clientCommands?: Record<string, number>;
}

export interface ContenderResult {
  readonly kind: ContenderKind;
  readonly label: string;
  readonly scenarios: ScenarioResult[];
  readonly memory?: SessionMemory & { readonly payloadBytes: number };
  readonly loadAverage: { readonly before: number; readonly after: number };
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly nproc: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly redis: string;
  readonly pinned: boolean;
  readonly loadAverageAtStart: readonly number[];
}

export interface BenchResults {
  readonly date: string;
  readonly mode: BenchOptions['mode'];
  readonly options: BenchOptions;
  readonly machine: MachineInfo;
  readonly contenders: ContenderResult[];
  readonly profiles: Partial<Record<ScenarioName, ProfileSummary>>;
  readonly libraryCommit: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface RedisTarget {
  readonly admins: Redis[];
  readonly nodes: RedisNodeAddress[];
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

async function flush(admins: readonly Redis[]): Promise<void> {
  await Promise.all(admins.map((admin) => admin.flushall()));
}

async function clusterTarget(pinning: boolean): Promise<RedisTarget> {
  log('starting a Redis Cluster (3 masters, 3 replicas)');
  const cluster: RedisClusterHarness = await startCluster();
  try {
    if (pinning) pin(cluster.pids(), '0');
    const masters = await cluster.masters();
    const admins = masters.map((node) => new Redis({ host: node.host, port: node.port }));
    return {
      admins,
      nodes: masters,
      env: {
        BENCH_CLUSTER_NODES: JSON.stringify(
          cluster.nodes.map(({ host, port }) => ({ host, port })),
        ),
      },
      async close() {
        for (const admin of admins) admin.disconnect();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** A contender up for the whole measurement, with the sessions its requests present. */
interface Running {
  readonly kind: ContenderKind;
  readonly target: RedisTarget | undefined;
  readonly contender: ContenderProcess;
  cookies: string[];
}

/** The runs of one contender in one scenario, and the Redis calls they made. */
interface Collected {
  readonly runs: RunResult[];
  readonly calls: Record<string, number>;
}

function scenarioResult(
  name: ScenarioName | 'read-half-rate',
  collected: Collected,
  overallRate: number | undefined,
  countsCalls: boolean,
): ScenarioResult {
  const { runs, calls } = collected;
  const requests = runs.reduce((total, run) => total + run.requests, 0);
  const failures = runs.reduce((total, run) => total + run.errors + run.non2xx, 0);
  if (failures > 0) log(`  ${name}: ${failures} failed requests (errors, timeouts or non-2xx)`);
  return {
    scenario: name,
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    runs,
    ...(overallRate ? { targetRate: overallRate } : {}),
    ...(countsCalls && requests > 0
      ? {
          commandstatsPerRequest: Object.fromEntries(
            Object.entries(calls).map(([command, count]) => [command, count / requests]),
          ),
          commandstatsCallsPerRequest: sum(calls) / requests,
        }
      : {}),
  };
}

/**
 * One scenario for every contender that serves it, **in turns**: a warm-up each, then run 1 of
 * every contender, run 2 of every contender, and so on. This machine's speed drifts by 2–3× within
 * minutes; measuring contender after contender let that drift decide the ratios (a baseline
 * measured in a slow minute came out slower than the floor doing more work). In turns, a drift
 * touches every contender's runs alike.
 */
async function measureInTurns(
  all: readonly Running[],
  scenario: ScenarioName,
  options: BenchOptions,
  overallRate?: number,
): Promise<Map<ContenderKind, ScenarioResult>> {
  const serving = all.filter(
    (r) =>
      scenariosOf(r.kind).includes(scenario) && !(overallRate && SAMPLE_KINDS.includes(r.kind)),
  );
  const settings = { connections: options.connections };
  const runFor = (r: Running, duration: number) =>
    overallRate
      ? drivePaced(r.contender.url, scenario, r.cookies, { ...settings, duration, overallRate })
      : drive(r.contender.url, scenario, r.cookies, { ...settings, duration });
  for (const r of serving) await runFor(r, options.warmup);
  const collected = new Map<ContenderKind, Collected>(
    serving.map((r) => [r.kind, { runs: [], calls: {} }]),
  );
  for (let run = 0; run < options.runs; run++) {
    for (const r of serving) {
      const admins = r.target?.admins;
      if (admins) await resetStats(admins);
      const result = await runFor(r, options.duration);
      const entry = collected.get(r.kind)!;
      entry.runs.push(result);
      if (admins) {
        for (const [command, count] of Object.entries(appCommands(await commandStats(admins)))) {
          entry.calls[command] = (entry.calls[command] ?? 0) + count;
        }
      }
    }
  }
  const results = new Map<ContenderKind, ScenarioResult>();
  const name = overallRate ? 'read-half-rate' : scenario;
  for (const r of serving) {
    const result = scenarioResult(name, collected.get(r.kind)!, overallRate, Boolean(r.target));
    results.set(r.kind, result);
    log(
      `  ${r.kind} ${overallRate ? `read at ${overallRate} req/s` : scenario}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
    );
  }
  return results;
}

/** Redis commands the contender's clients send per request, sequential requests under MONITOR. */
async function countCommands(
  r: Running,
  scenarios: readonly ScenarioResult[],
  options: BenchOptions,
): Promise<void> {
  if (!r.target) return;
  const monitor = await monitorCommands(r.target.nodes);
  try {
    for (const result of scenarios) {
      if (result.scenario === 'read-half-rate') continue;
      monitor.reset();
      for (let i = 0; i < options.countRequests; i++) {
        await once(r.contender.url, result.scenario, r.cookies[i % r.cookies.length]);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const counts = monitor.counts();
      Object.assign(result, {
        clientCommands: Object.fromEntries(
          Object.entries(counts).map(([command, count]) => [
            command,
            count / options.countRequests,
          ]),
        ),
        clientCommandsPerRequest: sum(counts) / options.countRequests,
      });
    }
  } finally {
    monitor.close();
  }
}

/** Redis memory per session with the 1 KB payload (after a FLUSHALL: run it last). */
async function measureMemory(
  r: Running,
  options: BenchOptions,
): Promise<ContenderResult['memory']> {
  if (!r.target || SAMPLE_KINDS.includes(r.kind)) return undefined;
  await flush(r.target.admins);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const usedBefore = await usedMemory(r.target.admins);
  const created = await fire(
    r.contender.url,
    '/login-big',
    options.memorySessions,
    options.connections,
  );
  const memory = {
    ...(await sessionMemory(r.target.admins, usedBefore)),
    payloadBytes: options.payloadBytes,
  };
  log(
    `  ${r.kind} memory: ${memory.keys} keys of ${created} sessions, ${Math.round(memory.memoryUsagePerKey)} B/session (MEMORY USAGE)`,
  );
  return memory;
}

/**
 * Every contender started at once (pinned to core 1, idle when not driven), every scenario
 * measured in turns, then per contender the command counts and the memory; every process stopped.
 */
async function measureContenders(
  options: BenchOptions,
  standaloneTarget: RedisTarget,
  pinning: boolean,
): Promise<ContenderResult[]> {
  const before = loadavg()[0] as number;
  const running: Running[] = [];
  let cluster: RedisTarget | undefined;
  try {
    for (const kind of options.contenders) {
      log(`starting ${CONTENDER_LABELS[kind]}`);
      if (kind === 'cluster') cluster = await clusterTarget(pinning);
      const target =
        kind === 'cluster' ? cluster : REDIS_KINDS.includes(kind) ? standaloneTarget : undefined;
      const contender = await startContender({
        kind,
        env: target?.env ?? {},
        cpus: pinning ? '1' : undefined,
      });
      const r: Running = { kind, target, contender, cookies: [] };
      running.push(r);
      if (!BASELINE_KINDS.includes(kind) && !SAMPLE_KINDS.includes(kind)) {
        await checkSessions(contender.url);
      }
      r.cookies = await sessionsFor(kind, contender.url, options.sessions);
    }
    const scenarios = new Map<ContenderKind, ScenarioResult[]>(running.map((r) => [r.kind, []]));
    const scenarioNames = [...new Set(running.flatMap((r) => scenariosOf(r.kind)))];
    for (const scenario of scenarioNames) {
      log(`scenario ${scenario}, contenders in turns`);
      for (const [kind, result] of await measureInTurns(running, scenario, options)) {
        scenarios.get(kind)?.push(result);
      }
    }
    const baselineRead = scenarios.get('baseline')?.find((s) => s.scenario === 'read')?.rps;
    if (baselineRead) {
      const rate = Math.round(baselineRead / 2);
      log(`read-only at ${rate} req/s (half the baseline's rate), contenders in turns`);
      for (const [kind, result] of await measureInTurns(running, 'read', options, rate)) {
        scenarios.get(kind)?.push(result);
      }
    }
    const after = loadavg()[0] as number;
    const results: ContenderResult[] = [];
    for (const r of running) {
      const own = scenarios.get(r.kind) ?? [];
      // An earlier contender's memory run flushed Redis: fresh sessions for the counts.
      if (r.target) r.cookies = await sessionsFor(r.kind, r.contender.url, 50);
      await countCommands(r, own, options);
      const memory = await measureMemory(r, options);
      results.push({
        kind: r.kind,
        label: CONTENDER_LABELS[r.kind],
        scenarios: own,
        memory,
        loadAverage: { before, after },
      });
      await r.contender.stop();
    }
    return results;
  } finally {
    await Promise.all(running.map((r) => r.contender.stop().catch(() => undefined)));
    await cluster?.close();
  }
}

/** CPU profile of the standalone contender on the read-only and the write path. */
async function profileHotPath(
  options: BenchOptions,
  redis: RedisTarget,
  pinning: boolean,
): Promise<Partial<Record<ScenarioName, ProfileSummary>>> {
  const profiles: Partial<Record<ScenarioName, ProfileSummary>> = {};
  for (const scenario of ['read', 'write'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'nds-bench-prof-'));
    try {
      await flush(redis.admins);
      const contender = await startContender({
        kind: 'standalone',
        env: redis.env,
        cpus: pinning ? '1' : undefined,
        nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'],
      });
      try {
        const cookies = await createSessions(contender.url, options.sessions);
        await drive(contender.url, scenario, cookies, {
          connections: options.connections,
          duration: options.duration,
        });
      } finally {
        await contender.stop();
      }
      const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
      if (!file) throw new Error('the contender wrote no .cpuprofile');
      profiles[scenario] = summarizeProfile(join(dir, file));
      log(`  profile ${scenario}: top ${profiles[scenario]?.topFunctions[0]?.name ?? '?'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return profiles;
}

async function libraryCommit(): Promise<string> {
  if (process.env.BENCH_LIBRARY) return process.env.BENCH_LIBRARY;
  const { execFileSync } = await import('node:child_process');
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'src'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head} + uncommitted changes in src/` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  installCleanupHooks();
  const nproc = availableParallelism();
  const pinning = canPin(nproc);
  // The load generator shares core 0 with Redis; the contender gets core 1 to itself.
  if (pinning) pin([process.pid], '0');
  else log('taskset not available or fewer than 2 cores: processes are not pinned');
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (options.mode === 'scale') {
    await runScale(options, pinning, RESULTS_DIR, log);
    return;
  }
  const loadAverageAtStart = loadavg();
  log(
    `mode ${options.mode}: ${options.runs} x ${options.duration} s runs, ${options.warmup} s warm-up, ${options.connections} connections`,
  );
  const standalone = await startStandalone();
  if (pinning) pin(standalone.pids(), '0');
  const admin = new Redis(standalone.url);
  const standaloneTarget: RedisTarget = {
    admins: [admin],
    nodes: [{ host: standalone.host, port: standalone.port }],
    env: { BENCH_REDIS_URL: standalone.url },
    close: async () => undefined,
  };
  try {
    const redisVersion = /^redis_version:(\S+)/m.exec(await admin.info('server'))?.[1] ?? '?';
    const machine: MachineInfo = {
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      nproc,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      redis: redisVersion,
      pinned: pinning,
      loadAverageAtStart,
    };
    const contenders = await measureContenders(options, standaloneTarget, pinning);
    let profiles: Partial<Record<ScenarioName, ProfileSummary>> = {};
    if (options.profile && options.contenders.includes('standalone')) {
      try {
        profiles = await profileHotPath(options, standaloneTarget, pinning);
      } catch (error) {
        log(`CPU profile failed (results are kept): ${String(error)}`);
      }
    }
    const results: BenchResults = {
      date: new Date().toISOString(),
      mode: options.mode,
      options,
      machine,
      contenders,
      profiles,
      libraryCommit: await libraryCommit(),
    };
    report(results, RESULTS_DIR);
  } finally {
    admin.disconnect();
    await standalone.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
