import { Cluster, type Redis } from 'ioredis';
import type { SessionStoreProbe } from '../session-store.js';

/**
 * PINGs the session's Redis: the one server of a standalone or Sentinel client, every master of
 * a Cluster (a session may live on any of them). Rejects when any master does not answer.
 */
export async function probeRedis(client: Redis | Cluster): Promise<SessionStoreProbe> {
  const masters: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  if (masters.length === 0) throw new Error('the cluster client knows no master');
  const latencies = await Promise.all(masters.map(timedPing));
  return {
    topology: topologyOf(client),
    latencyMs: Math.max(...latencies),
    masters: masters.length,
  };
}

async function timedPing(node: Redis): Promise<number> {
  const started = performance.now();
  await node.ping();
  return Math.round((performance.now() - started) * 100) / 100;
}

function topologyOf(client: Redis | Cluster): 'cluster' | 'sentinel' | 'standalone' {
  if (client instanceof Cluster) return 'cluster';
  return client.options.sentinels?.length ? 'sentinel' : 'standalone';
}
