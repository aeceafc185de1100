import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PollAbortedError, waitFor } from './poll.js';
import { adminCall, infoOf, pairsToRecord, withAdminClient } from './redis-admin.js';
import { RedisProcess, startOnFreePort } from './redis-process.js';
import { createDataDir, prepareHarness, removeDataDir } from './setup.js';
import { formatEndpoint, LOOPBACK, sameEndpoint, type RedisEndpoint } from './types.js';

/** Options of {@link startSentinelGroup}. */
export interface SentinelGroupOptions {
  /** Name the sentinels monitor the master under; default `mymaster`. */
  readonly masterName?: string;
  /** `sentinel down-after-milliseconds`; default 1000 (quick automatic failover). */
  readonly downAfterMs?: number;
  /** `sentinel failover-timeout`; default 3000 (so a second failover is possible soon after). */
  readonly failoverTimeoutMs?: number;
}

/** One master, one replica and three sentinels (quorum 2), started by {@link startSentinelGroup}. */
export interface SentinelGroup {
  /** The name the sentinels monitor, for `new Redis({ sentinels, name })`. */
  readonly masterName: string;
  /** The three sentinels. */
  readonly sentinels: readonly RedisEndpoint[];
  /** The data nodes: the initial master first, then the replica. */
  readonly nodes: readonly RedisEndpoint[];
  /** The master as the sentinels currently report it (first sentinel that answers). */
  currentMaster(): Promise<RedisEndpoint>;
  /**
   * `SENTINEL FAILOVER` (retried while it answers NOGOODSLAVE/INPROG), then waits until all
   * sentinels agree on the new master, it reports `role:master`, the old master replicates from it
   * (link up) and the sentinels see that replica again, so another failover can follow at once.
   *
   * @returns the new master.
   */
  failover(timeoutMs?: number): Promise<RedisEndpoint>;
  /**
   * SIGKILLs the current master (simulated crash); the sentinels then fail over by themselves
   * (down-after + election, usually a few seconds): use {@link waitForMasterChange}.
   *
   * @returns the killed master.
   */
  killMaster(): Promise<RedisEndpoint>;
  /**
   * Waits until all sentinels agree on a master other than `previous` and it reports
   * `role:master`.
   *
   * @returns the new master.
   */
  waitForMasterChange(previous: RedisEndpoint, timeoutMs?: number): Promise<RedisEndpoint>;
  /** PIDs of every process of this topology, for leak checks. */
  pids(): number[];
  /** Stops all five processes (SIGTERM, then SIGKILL) and deletes the data directory. */
  stop(): Promise<void>;
}

function sentinelConfig(
  port: number,
  dir: string,
  masterName: string,
  masterPort: number,
  options: { downAfterMs: number; failoverTimeoutMs: number },
): string {
  return [
    `port ${port}`,
    `bind ${LOOPBACK}`,
    'daemonize no',
    `dir ${dir}`,
    `logfile ${join(dir, 'sentinel.log')}`,
    'sentinel resolve-hostnames no',
    'sentinel announce-hostnames no',
    `sentinel monitor ${masterName} ${LOOPBACK} ${masterPort} 2`,
    `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs}`,
    `sentinel failover-timeout ${masterName} ${options.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${masterName} 1`,
    '',
  ].join('\n');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Starts processes in parallel; on any failure kills those that did start and rethrows. */
async function startAll(starts: Promise<RedisProcess>[], into: RedisProcess[]): Promise<void> {
  const results = await Promise.allSettled(starts);
  for (const result of results) if (result.status === 'fulfilled') into.push(result.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Waits until `replica` reports `master_link_status:up` towards `master`. */
async function waitForReplicaLink(
  replica: RedisEndpoint,
  master: RedisEndpoint,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `replica ${formatEndpoint(replica)} to replicate from ${formatEndpoint(master)} (link up)`,
    async () => {
      const info = await infoOf(replica, 'replication');
      const state =
        `role=${info.role} master=${info.master_host}:${info.master_port} ` +
        `link=${info.master_link_status}`;
      if (
        info.role !== 'slave' ||
        info.master_host !== master.host ||
        Number(info.master_port) !== master.port ||
        info.master_link_status !== 'up'
      ) {
        throw new Error(state);
      }
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/**
 * Starts a Sentinel topology on loopback: a master, a replica (`--replicaof`) and three sentinels
 * (`redis-server <conf> --sentinel`, quorum 2, low down-after and failover timeouts). Resolves once
 * the replica link is up and every sentinel reports the same master, knows the replica and the two
 * other sentinels.
 *
 * @throws RedisNotInstalledError at once when redis-server is not on PATH.
 */
export async function startSentinelGroup(
  options: SentinelGroupOptions = {},
): Promise<SentinelGroup> {
  prepareHarness();
  const masterName = options.masterName ?? 'mymaster';
  if (!/^[A-Za-z0-9._-]+$/.test(masterName)) throw new Error(`Invalid master name: ${masterName}`);
  const timeouts = {
    downAfterMs: options.downAfterMs ?? 1000,
    failoverTimeoutMs: options.failoverTimeoutMs ?? 3000,
  };
  const root = createDataDir('sentinel');
  const nodes: RedisProcess[] = [];
  const sentinels: RedisProcess[] = [];
  const all = (): RedisProcess[] => [...sentinels, ...nodes];

  const stop = async (): Promise<void> => {
    try {
      // Sentinels first, so they do not react to the data nodes going away.
      await Promise.all(sentinels.map((s) => s.stop()));
      await Promise.all(nodes.map((n) => n.stop()));
    } finally {
      removeDataDir(root);
    }
  };

  const querySentinel = async (sentinel: RedisEndpoint): Promise<RedisEndpoint> => {
    const reply = await adminCall(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName);
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new Error(`sentinel ${formatEndpoint(sentinel)} does not know ${masterName}`);
    }
    return { host: String(reply[0]), port: Number(reply[1]) };
  };

  const currentMaster = async (): Promise<RedisEndpoint> => {
    const errors: string[] = [];
    for (const sentinel of sentinels) {
      try {
        return await querySentinel(sentinel);
      } catch (error) {
        errors.push(`${formatEndpoint(sentinel)}: ${errorMessage(error)}`);
      }
    }
    throw new Error(`No sentinel answered for ${masterName}: ${errors.join('; ')}`);
  };

  /** One sentinel's view; throws (for waitFor) when it is not the expected steady state. */
  const checkSentinel = async (
    sentinel: RedisEndpoint,
    master: RedisEndpoint,
    replicas: RedisEndpoint[],
  ): Promise<void> => {
    const where = `sentinel ${formatEndpoint(sentinel)}`;
    await withAdminClient(sentinel, async (client) => {
      const addr = await client.call('SENTINEL', ['GET-MASTER-ADDR-BY-NAME', masterName]);
      const reported = Array.isArray(addr) ? `${String(addr[0])}:${String(addr[1])}` : 'none';
      if (reported !== formatEndpoint(master)) {
        throw new Error(`${where} reports master ${reported}`);
      }
      const info = pairsToRecord(await client.call('SENTINEL', ['MASTER', masterName]));
      if (info.flags !== 'master' || info['num-other-sentinels'] !== '2') {
        throw new Error(
          `${where}: flags=${info.flags} num-other-sentinels=${info['num-other-sentinels']}`,
        );
      }
      if (Number(info['num-slaves']) < replicas.length) {
        throw new Error(`${where}: num-slaves=${info['num-slaves']}`);
      }
      const known = await client.call('SENTINEL', ['REPLICAS', masterName]);
      const views = (Array.isArray(known) ? known : []).map(pairsToRecord);
      for (const replica of replicas) {
        const view = views.find((v) => v.ip === replica.host && Number(v.port) === replica.port);
        if (!view || view.flags !== 'slave') {
          throw new Error(
            `${where}: replica ${formatEndpoint(replica)} flags=${view?.flags ?? 'unknown'}`,
          );
        }
      }
    });
  };

  const waitForSentinels = (
    master: RedisEndpoint,
    replicas: RedisEndpoint[],
    timeoutMs: number,
  ): Promise<void[]> =>
    waitFor(
      `all sentinels to agree on master ${formatEndpoint(master)} and see ` +
        `${replicas.length} replica(s) and 2 other sentinels`,
      () => Promise.all(sentinels.map((s) => checkSentinel(s, master, replicas))),
      { timeoutMs, intervalMs: 100 },
    );

  const waitForMasterChange = (
    previous: RedisEndpoint,
    timeoutMs = 30000,
  ): Promise<RedisEndpoint> =>
    waitFor(
      `all sentinels to agree on a new master (other than ${formatEndpoint(previous)}) ` +
        'that reports role:master',
      async () => {
        const views = await Promise.all(sentinels.map(querySentinel));
        const first = views[0];
        const described = views.map(formatEndpoint).join(', ');
        if (!first || views.some((v) => !sameEndpoint(v, first)) || sameEndpoint(first, previous)) {
          throw new Error(`sentinels report ${described}`);
        }
        const role = (await infoOf(first, 'replication')).role;
        if (role !== 'master') throw new Error(`${formatEndpoint(first)} reports role:${role}`);
        return first;
      },
      { timeoutMs, intervalMs: 100 },
    );

  const nodeAt = (endpoint: RedisEndpoint): RedisProcess | undefined =>
    nodes.find((n) => sameEndpoint(n, endpoint));

  const failover = async (timeoutMs = 30000): Promise<RedisEndpoint> => {
    const deadline = Date.now() + timeoutMs;
    const remaining = (): number => Math.max(1000, deadline - Date.now());
    const previous = await currentMaster();
    await waitFor(
      `SENTINEL FAILOVER ${masterName} to be accepted (retried on NOGOODSLAVE/INPROG)`,
      async (attempt) => {
        const sentinel = sentinels[attempt % sentinels.length] ?? sentinels[0];
        if (!sentinel) throw new PollAbortedError('no sentinels');
        try {
          await adminCall(sentinel, 'SENTINEL', 'FAILOVER', masterName);
        } catch (error) {
          const message = errorMessage(error);
          const replyError = error instanceof Error && error.name === 'ReplyError';
          if (replyError && !/NOGOODSLAVE|INPROG/.test(message)) {
            throw new PollAbortedError(`SENTINEL FAILOVER ${masterName} failed: ${message}`, {
              cause: error,
            });
          }
          throw new Error(`${formatEndpoint(sentinel)}: ${message}`, { cause: error });
        }
      },
      { timeoutMs: Math.min(15000, remaining()), intervalMs: 250 },
    );
    const next = await waitForMasterChange(previous, remaining());
    const old = nodeAt(previous);
    if (old?.running) {
      // Sentinel converts the old master into a replica only ~8 s after a manual failover
      // (+convert-to-slave). Do now what it would do then: REPLICAOF and drop its clients, so
      // clients reconnect through the sentinels and a second failover has a healthy replica.
      const role = (await infoOf(old, 'replication')).role;
      if (role === 'master') {
        await withAdminClient(old, async (client) => {
          await client.call('REPLICAOF', [next.host, next.port]);
          await client.call('CLIENT', ['KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
          await client.call('CLIENT', ['KILL', 'TYPE', 'pubsub']);
        });
      }
      await waitForReplicaLink(old, next, remaining());
    }
    const replicas = nodes.filter((n) => n.running && !sameEndpoint(n, next));
    await waitForSentinels(next, replicas, remaining());
    return next;
  };

  try {
    const master = await startOnFreePort((port) => ({
      port,
      dir: join(root, `node-${port}`),
      label: 'master',
    }));
    nodes.push(master);
    const replica = await startOnFreePort((port) => ({
      port,
      dir: join(root, `node-${port}`),
      label: 'replica',
      extraArgs: ['--replicaof', LOOPBACK, String(master.port)],
    }));
    nodes.push(replica);
    await waitForReplicaLink(replica, master, 15000);
    await startAll(
      [0, 1, 2].map(() =>
        startOnFreePort((port) => {
          const dir = join(root, `sentinel-${port}`);
          const configFile = join(dir, 'sentinel.conf');
          mkdirSync(dir, { recursive: true });
          writeFileSync(configFile, sentinelConfig(port, dir, masterName, master.port, timeouts));
          return { port, dir, mode: 'sentinel', configFile };
        }),
      ),
      sentinels,
    );
    await waitForSentinels(master, [replica], 20000);
  } catch (error) {
    await Promise.allSettled(all().map((p) => p.kill()));
    removeDataDir(root);
    throw error;
  }

  const endpoint = (p: RedisProcess): RedisEndpoint => ({ host: p.host, port: p.port });
  return {
    masterName,
    sentinels: sentinels.map(endpoint),
    nodes: nodes.map(endpoint),
    currentMaster,
    failover,
    async killMaster() {
      const master = await currentMaster();
      const node = nodeAt(master);
      if (!node) throw new Error(`Master ${formatEndpoint(master)} is not a node of this group`);
      await node.kill();
      return master;
    },
    waitForMasterChange,
    pids: () => all().flatMap((p) => (p.pid === undefined ? [] : [p.pid])),
    stop,
  };
}
