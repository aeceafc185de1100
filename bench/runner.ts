/**
 * `npm run bench`: starts its own redis-server (and, for one contender, a 3-master Cluster), starts
 * each contender as its own process, drives it with autocannon and prints one table. Redis and the
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
  createCartSessions,
  createSessions,
  drive,
  drivePaced,
  fire,
  once,
  type RunResult,
} from './load.js';
import { parseOptions, type BenchOptions } from './options.js';
import { canPin, installCleanupHooks, pin, startContender } from './processes.js';
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

async function measureScenario(
  url: string,
  scenario: ScenarioName,
  cookies: readonly string[],
  options: BenchOptions,
  admins: readonly Redis[] | undefined,
  overallRate?: number,
): Promise<ScenarioResult> {
  const settings = { connections: options.connections, duration: options.duration };
  const runFor = (duration: number) =>
    overallRate
      ? drivePaced(url, scenario, cookies, { ...settings, duration, overallRate })
      : drive(url, scenario, cookies, { ...settings, duration });
  await runFor(options.warmup);
  if (admins) await resetStats(admins);
  const runs: RunResult[] = [];
  for (let run = 0; run < options.runs; run++) runs.push(await runFor(options.duration));
  const failures = runs.reduce((total, run) => total + run.errors + run.non2xx, 0);
  if (failures > 0) log(`  ${scenario}: ${failures} failed requests (errors, timeouts or non-2xx)`);
  let commandstats: Partial<ScenarioResult> = {};
  if (admins) {
    const requests = runs.reduce((total, run) => total + run.requests, 0);
    const calls = appCommands(await commandStats(admins));
    commandstats = {
      commandstatsPerRequest: Object.fromEntries(
        Object.entries(calls).map(([name, count]) => [name, count / requests]),
      ),
      commandstatsCallsPerRequest: sum(calls) / requests,
    };
  }
  return {
    scenario: overallRate ? 'read-half-rate' : scenario,
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    runs,
    ...(overallRate ? { targetRate: overallRate } : {}),
    ...commandstats,
  };
}

async function measureContender(
  kind: ContenderKind,
  options: BenchOptions,
  redis: RedisTarget | undefined,
  pinning: boolean,
  halfRate: number | undefined,
): Promise<ContenderResult> {
  const before = loadavg()[0] as number;
  if (redis) await flush(redis.admins);
  const contender = await startContender({
    kind,
    env: redis?.env ?? {},
    cpus: pinning ? '1' : undefined,
  });
  try {
    const url = contender.url;
    const sessionless = BASELINE_KINDS.includes(kind);
    const sample = SAMPLE_KINDS.includes(kind);
    if (!sessionless && !sample) await checkSessions(url);
    const cookies = sessionless
      ? ['bench=none']
      : sample
        ? await createCartSessions(url, options.sessions)
        : await createSessions(url, options.sessions);
    const scenarios: ScenarioResult[] = [];
    for (const scenario of scenariosOf(kind)) {
      const result = await measureScenario(url, scenario, cookies, options, redis?.admins);
      scenarios.push(result);
      log(
        `  ${kind} ${scenario}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      );
    }
    const rate = halfRate ?? (kind === 'baseline' ? (scenarios[0]?.rps ?? 0) / 2 : undefined);
    if (rate && !sample) {
      const result = await measureScenario(
        url,
        'read',
        cookies,
        options,
        redis?.admins,
        Math.round(rate),
      );
      scenarios.push(result);
      log(
        `  ${kind} read at ${Math.round(rate)} req/s: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
      );
    }
    let memory: ContenderResult['memory'];
    if (redis) {
      const monitor = await monitorCommands(redis.nodes);
      try {
        for (const result of scenarios) {
          if (result.scenario === 'read-half-rate') continue;
          monitor.reset();
          for (let i = 0; i < options.countRequests; i++) {
            await once(url, result.scenario, cookies[i % cookies.length]);
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
          const counts = monitor.counts();
          Object.assign(result, {
            clientCommands: Object.fromEntries(
              Object.entries(counts).map(([name, count]) => [name, count / options.countRequests]),
            ),
            clientCommandsPerRequest: sum(counts) / options.countRequests,
          });
        }
      } finally {
        monitor.close();
      }
    }
    if (redis && !sample) {
      await flush(redis.admins);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const usedBefore = await usedMemory(redis.admins);
      const created = await fire(url, '/login-big', options.memorySessions, options.connections);
      memory = {
        ...(await sessionMemory(redis.admins, usedBefore)),
        payloadBytes: options.payloadBytes,
      };
      log(
        `  ${kind} memory: ${memory.keys} keys of ${created} sessions, ${Math.round(memory.memoryUsagePerKey)} B/session (MEMORY USAGE)`,
      );
    }
    return {
      kind,
      label: CONTENDER_LABELS[kind],
      scenarios,
      memory,
      loadAverage: { before, after: loadavg()[0] as number },
    };
  } finally {
    await contender.stop();
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
    const contenders: ContenderResult[] = [];
    let halfRate: number | undefined;
    for (const kind of options.contenders) {
      log(`contender ${CONTENDER_LABELS[kind]}`);
      const usesRedis = REDIS_KINDS.includes(kind);
      const target =
        kind === 'cluster'
          ? await clusterTarget(pinning)
          : usesRedis
            ? standaloneTarget
            : undefined;
      try {
        const result = await measureContender(kind, options, target, pinning, halfRate);
        contenders.push(result);
        if (kind === 'baseline')
          halfRate = result.scenarios.find((s) => s.scenario === 'read-half-rate')?.targetRate;
      } finally {
        if (target && target !== standaloneTarget) await target.close();
      }
    }
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
