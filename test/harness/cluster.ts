import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { hostProcess } from './host-process.js';
import { forgetProcess, recordProcess } from './pid-registry.js';
import { PollTimeoutError, waitFor, withinMs } from './poll.js';
import { adminCall, infoOf, parseInfo } from './redis-admin.js';
import { RedisProcess, startOnFreePort } from './redis-process.js';
import { createDataDir, prepareHarness, removeDataDir } from './setup.js';
import { formatEndpoint, sameEndpoint, type RedisEndpoint } from './types.js';

/** Number of nodes the harness cluster has: 3 masters, 3 replicas. */
export const CLUSTER_SIZE = 6;

const SLOT_COUNT = 16384;

/** Options of {@link startCluster}. */
export interface ClusterHarnessOptions {
  /** `cluster-node-timeout` (ms); default 2000, so automatic failover takes a few seconds. */
  readonly nodeTimeoutMs?: number;
}

/** One line of `CLUSTER NODES`, as seen by one node. */
export interface ClusterNodeView {
  readonly id: string;
  readonly endpoint: RedisEndpoint;
  readonly role: 'master' | 'replica';
  /** Flagged `fail` (agreed failure; the local-only `fail?` does not count). */
  readonly failed: boolean;
  /** The answering node itself. */
  readonly myself: boolean;
  /** Replicas: the master's node id. */
  readonly masterId: string | undefined;
  /** Slot ranges such as `0-5460` (masters). */
  readonly slots: readonly string[];
}

/** A six-node Redis Cluster (3 masters, 3 replicas) started by {@link startCluster}. */
export interface RedisClusterHarness {
  /** All six nodes, for `new Cluster(nodes)`. */
  readonly nodes: readonly RedisEndpoint[];
  /** Masters that serve slots and are not failed, as a running node sees them. */
  masters(): Promise<RedisEndpoint[]>;
  /** The parsed `CLUSTER NODES` view of a running node. */
  topology(): Promise<ClusterNodeView[]>;
  /** SIGKILLs a node (simulated crash). For a master, {@link waitForClusterOk} waits for promotion. */
  killNode(port: number): Promise<void>;
  /** Starts a stopped/killed node again (same port and nodes.conf: it rejoins the cluster). */
  restartNode(port: number): Promise<void>;
  /**
   * `CLUSTER FAILOVER` on a replica (default: the first healthy one; retried if the manual failover
   * times out), then waits until it is master and {@link waitForClusterOk}.
   *
   * @returns the new master.
   */
  failover(replicaPort?: number, timeoutMs?: number): Promise<RedisEndpoint>;
  /**
   * Waits until every running node reports `cluster_state:ok`, 6 known nodes and all 16384 slots
   * assigned and ok, all running nodes have the same view of roles and slots, and every running
   * replica's link to its master is up.
   */
  waitForClusterOk(timeoutMs?: number): Promise<void>;
  /** PIDs of every process of this topology, for leak checks. */
  pids(): number[];
  /** Stops all nodes (SIGTERM, then SIGKILL) and deletes the data directory. */
  stop(): Promise<void>;
}

/** Parses `CLUSTER NODES` output. */
export function parseClusterNodes(text: unknown): ClusterNodeView[] {
  const views: ClusterNodeView[] = [];
  for (const line of String(text).split('\n')) {
    const fields = line.trim().split(' ');
    const [id, address, flagField, master] = fields;
    if (!id || !address || !flagField || !master) continue;
    const hostPort = address.split('@')[0] ?? '';
    const colon = hostPort.lastIndexOf(':');
    const flags = flagField.split(',');
    views.push({
      id,
      endpoint: { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) },
      role: flags.includes('slave') ? 'replica' : 'master',
      failed: flags.includes('fail'),
      myself: flags.includes('myself'),
      masterId: master === '-' ? undefined : master,
      slots: fields.slice(8).filter((slot) => !slot.startsWith('[')),
    });
  }
  return views;
}

/** A comparable summary of one node's view: who is master of which slots, who replicates whom. */
function viewSignature(views: ClusterNodeView[]): string {
  const byId = new Map(views.map((v) => [v.id, v]));
  return views
    .map((v) => {
      const name = formatEndpoint(v.endpoint);
      if (v.failed) return `${name} fail`;
      if (v.role === 'replica') {
        const master = v.masterId ? byId.get(v.masterId) : undefined;
        return `${name} replica-of ${master ? formatEndpoint(master.endpoint) : v.masterId}`;
      }
      return `${name} master ${v.slots.join(',')}`;
    })
    .sort()
    .join('; ');
}

/** Runs `redis-cli` with the given arguments (no shell), recording its PID while it runs. */
async function runRedisCli(cli: string, args: string[], timeoutMs: number): Promise<string> {
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const pid = child.pid;
  if (pid !== undefined) recordProcess({ pid, port: 0, binary: 'redis-cli' });
  try {
    const code = await withinMs(exited, timeoutMs);
    if (code === undefined) {
      if (pid !== undefined) hostProcess.kill(pid, 'SIGKILL');
      throw new Error(`redis-cli ${args.join(' ')} did not finish in ${timeoutMs} ms:\n${output}`);
    }
    if (code !== 0) throw new Error(`redis-cli ${args.join(' ')} exited with ${code}:\n${output}`);
    return output;
  } finally {
    if (pid !== undefined) forgetProcess(pid);
  }
}

/**
 * Starts a six-node Redis Cluster on loopback (`--cluster-enabled yes`, low node timeout), creates
 * it with `redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes`, and resolves once
 * {@link RedisClusterHarness.waitForClusterOk} holds.
 *
 * @throws RedisNotInstalledError at once when redis-server or redis-cli is not on PATH.
 */
export async function startCluster(
  options: ClusterHarnessOptions = {},
): Promise<RedisClusterHarness> {
  const { cli } = prepareHarness();
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  const root = createDataDir('cluster');
  const procs: RedisProcess[] = [];

  const procAt = (port: number): RedisProcess => {
    const proc = procs.find((p) => p.port === port);
    if (!proc) throw new Error(`Port ${port} is not a node of this cluster`);
    return proc;
  };

  const anyRunning = (): RedisProcess => {
    const proc = procs.find((p) => p.running);
    if (!proc) throw new Error('No cluster node is running');
    return proc;
  };

  const topology = async (): Promise<ClusterNodeView[]> =>
    parseClusterNodes(await adminCall(anyRunning(), 'CLUSTER', 'NODES'));

  const checkClusterOk = async (): Promise<void> => {
    const running = procs.filter((p) => p.running);
    const views = await Promise.all(
      running.map(async (proc) => {
        const name = formatEndpoint(proc);
        const info = parseInfo(await adminCall(proc, 'CLUSTER', 'INFO'));
        if (
          info.cluster_state !== 'ok' ||
          Number(info.cluster_known_nodes) !== CLUSTER_SIZE ||
          Number(info.cluster_slots_assigned) !== SLOT_COUNT ||
          Number(info.cluster_slots_ok) !== SLOT_COUNT
        ) {
          throw new Error(
            `${name}: cluster_state=${info.cluster_state} ` +
              `known_nodes=${info.cluster_known_nodes} slots_assigned=` +
              `${info.cluster_slots_assigned} slots_ok=${info.cluster_slots_ok}`,
          );
        }
        const nodes = parseClusterNodes(await adminCall(proc, 'CLUSTER', 'NODES'));
        const self = nodes.find((n) => n.myself);
        if (self?.role === 'replica') {
          const link = (await infoOf(proc, 'replication')).master_link_status;
          if (link !== 'up') throw new Error(`replica ${name}: master_link_status=${link}`);
        }
        return { name, signature: viewSignature(nodes) };
      }),
    );
    const first = views[0];
    const differing = views.find((v) => v.signature !== first?.signature);
    if (first && differing) {
      throw new Error(
        `views differ: ${first.name} sees [${first.signature}], ` +
          `${differing.name} sees [${differing.signature}]`,
      );
    }
  };

  const waitForClusterOk = async (timeoutMs = 30000): Promise<void> => {
    const running = procs.filter((p) => p.running).length;
    await waitFor(
      `cluster_state:ok with ${CLUSTER_SIZE} known nodes and ${SLOT_COUNT} slots ok on all ` +
        `${running} running nodes, the same topology on each, replica links up`,
      checkClusterOk,
      { timeoutMs, intervalMs: 100 },
    );
  };

  const failover = async (replicaPort?: number, timeoutMs = 30000): Promise<RedisEndpoint> => {
    const deadline = Date.now() + timeoutMs;
    const views = await topology();
    const healthy = (v: ClusterNodeView): boolean =>
      !v.failed && procs.some((p) => p.running && sameEndpoint(p, v.endpoint));
    const candidate = views.find(
      (v) =>
        v.role === 'replica' &&
        (replicaPort === undefined ? healthy(v) : v.endpoint.port === replicaPort) &&
        views.some((m) => m.id === v.masterId && healthy(m)),
    );
    if (!candidate) {
      throw new Error(
        replicaPort === undefined
          ? 'No healthy replica with a healthy master to fail over to'
          : `127.0.0.1:${replicaPort} is not a replica with a healthy master`,
      );
    }
    const replica = procAt(candidate.endpoint.port);
    for (let attempt = 1; ; attempt += 1) {
      await adminCall(replica, 'CLUSTER', 'FAILOVER');
      try {
        // A manual failover that does not complete is abandoned by Redis after 5 s.
        await waitFor(
          `replica ${formatEndpoint(replica)} to become master after CLUSTER FAILOVER`,
          async () => {
            const role = (await infoOf(replica, 'replication')).role;
            if (role !== 'master') throw new Error(`role:${role}`);
          },
          { timeoutMs: Math.min(6000, Math.max(1000, deadline - Date.now())), intervalMs: 50 },
        );
        break;
      } catch (error) {
        if (!(error instanceof PollTimeoutError) || attempt >= 3 || Date.now() >= deadline) {
          throw error;
        }
      }
    }
    await waitForClusterOk(Math.max(1000, deadline - Date.now()));
    return { host: replica.host, port: replica.port };
  };

  const stop = async (): Promise<void> => {
    try {
      await Promise.all(procs.map((p) => p.stop()));
    } finally {
      removeDataDir(root);
    }
  };

  try {
    const results = await Promise.allSettled(
      Array.from({ length: CLUSTER_SIZE }, () =>
        startOnFreePort(
          (port) => ({
            port,
            dir: join(root, `node-${port}`),
            label: 'cluster node',
            extraArgs: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-node-timeout',
              String(nodeTimeoutMs),
            ],
          }),
          { clusterBus: true },
        ),
      ),
    );
    for (const result of results) if (result.status === 'fulfilled') procs.push(result.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await runRedisCli(
      cli,
      [
        '--cluster',
        'create',
        ...procs.map(formatEndpoint),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      60000,
    );
    await waitForClusterOk(30000);
  } catch (error) {
    await Promise.allSettled(procs.map((p) => p.kill()));
    removeDataDir(root);
    throw error;
  }

  return {
    nodes: procs.map((p) => ({ host: p.host, port: p.port })),
    async masters() {
      return (await topology())
        .filter((v) => v.role === 'master' && !v.failed && v.slots.length > 0)
        .map((v) => v.endpoint);
    },
    topology,
    killNode: (port) => procAt(port).kill(),
    restartNode: (port) => procAt(port).start(),
    failover,
    waitForClusterOk,
    pids: () => procs.flatMap((p) => (p.pid === undefined ? [] : [p.pid])),
    stop,
  };
}
