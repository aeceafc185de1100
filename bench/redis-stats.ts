/** What the bench reads from Redis: command counts and memory. */
import { Redis } from 'ioredis';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Admin commands of the bench itself, left out of every count. */
const ADMIN_COMMANDS = new Set([
  'info',
  'config|resetstat',
  'config|set',
  'config|get',
  'monitor',
  'ping',
  'flushall',
  'scan',
  'memory|usage',
  'client|setname',
  'client|setinfo',
  'client|id',
  'client|info',
  'cluster|slots',
  'cluster|nodes',
  'cluster|info',
  'cluster|shards',
  'dbsize',
  'hello',
  'command',
  'command|docs',
  'select',
  'readonly',
]);

/** `calls` per command from `INFO commandstats`, summed over nodes. */
export async function commandStats(admins: readonly Redis[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const admin of admins) {
    const text = await admin.info('commandstats');
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      const name = match[1] as string;
      totals[name] = (totals[name] ?? 0) + Number(match[2]);
    }
  }
  return totals;
}

export async function resetStats(admins: readonly Redis[]): Promise<void> {
  await Promise.all(admins.map((admin) => admin.config('RESETSTAT')));
}

/** Calls of commands other than the bench's own admin commands. */
export function appCommands(stats: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(stats).filter(([name]) => !ADMIN_COMMANDS.has(name)));
}

export function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((total, value) => total + value, 0);
}

/** A MONITOR session on every node that counts what clients send (not what scripts call). */
export interface CommandMonitor {
  /** Top-level commands clients sent since the last reset, by name (lower case). */
  counts(): Record<string, number>;
  reset(): void;
  close(): void;
}

export async function monitorCommands(nodes: readonly RedisNodeAddress[]): Promise<CommandMonitor> {
  let counts: Record<string, number> = {};
  const monitors = await Promise.all(
    nodes.map(async (node) => {
      const client = new Redis({ host: node.host, port: node.port, lazyConnect: true });
      await client.connect();
      const monitor = await client.monitor();
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source === 'lua') return; // called inside EVAL/EVALSHA, not sent by a client
        const name = String(args[0]).toLowerCase();
        const full =
          args[1] && ['config', 'client', 'cluster', 'memory', 'command'].includes(name)
            ? `${name}|${String(args[1]).toLowerCase()}`
            : name;
        if (ADMIN_COMMANDS.has(full)) return;
        counts[full] = (counts[full] ?? 0) + 1;
      });
      return { client, monitor };
    }),
  );
  return {
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    close: () => {
      for (const { client, monitor } of monitors) {
        monitor.disconnect();
        client.disconnect();
      }
    },
  };
}

export interface SessionMemory {
  readonly keys: number;
  /** Mean `MEMORY USAGE key SAMPLES 0` of the session keys, bytes. */
  readonly memoryUsagePerKey: number;
  /** Growth of `used_memory` per session, bytes. */
  readonly usedMemoryPerSession: number;
  readonly usedMemoryBytes: number;
}

export async function usedMemory(admins: readonly Redis[]): Promise<number> {
  let total = 0;
  for (const admin of admins) {
    const text = await admin.info('memory');
    total += Number(/^used_memory:(\d+)/m.exec(text)?.[1] ?? 0);
  }
  return total;
}

/** Sums `MEMORY USAGE` over every key of every node (run on a flushed Redis with sessions only). */
export async function sessionMemory(
  admins: readonly Redis[],
  usedBefore: number,
): Promise<SessionMemory> {
  let keys = 0;
  let bytes = 0;
  for (const admin of admins) {
    let cursor = '0';
    do {
      const [nextCursor, batch] = await admin.scan(cursor, 'COUNT', 1000);
      cursor = nextCursor;
      if (batch.length === 0) continue;
      const pipeline = admin.pipeline();
      for (const key of batch) pipeline.memory('USAGE', key, 'SAMPLES', 0);
      for (const [error, usage] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        bytes += Number(usage);
        keys++;
      }
    } while (cursor !== '0');
  }
  const used = await usedMemory(admins);
  return {
    keys,
    memoryUsagePerKey: keys ? bytes / keys : Number.NaN,
    usedMemoryPerSession: keys ? (used - usedBefore) / keys : Number.NaN,
    usedMemoryBytes: used,
  };
}
