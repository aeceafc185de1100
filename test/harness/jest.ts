import { startCluster, type ClusterHarnessOptions, type RedisClusterHarness } from './cluster.js';
import { startSentinelGroup, type SentinelGroup, type SentinelGroupOptions } from './sentinel.js';
import { startStandalone, type StandaloneOptions, type StandaloneRedis } from './standalone.js';

/** Jest hook timeout for starting a standalone server or a Sentinel group (ms). */
export const START_TIMEOUT_MS = 30000;
/** Jest hook timeout for starting and creating a cluster (ms). */
export const CLUSTER_START_TIMEOUT_MS = 60000;

/**
 * Registers `beforeAll` (start) and `afterAll` (stop) for a topology in the current Jest file or
 * `describe` block, and returns a getter for it. `afterAll` runs even when tests fail; it also
 * stops a topology whose start was still running when `beforeAll` timed out.
 */
function useTopology<T extends { stop(): Promise<void> }>(
  what: string,
  start: () => Promise<T>,
  timeoutMs: number,
): () => T {
  let pending: Promise<T> | undefined;
  let topology: T | undefined;
  beforeAll(async () => {
    pending = start();
    topology = await pending;
  }, timeoutMs);
  afterAll(async () => {
    const started = topology ?? (await pending?.catch(() => undefined));
    topology = undefined;
    pending = undefined;
    await started?.stop();
  }, timeoutMs);
  return () => {
    if (!topology) {
      throw new Error(
        `The ${what} is not running: use the getter inside tests/hooks after beforeAll`,
      );
    }
    return topology;
  };
}

/**
 * Starts a standalone redis-server for this test file (or `describe` block).
 *
 * @example
 * const redis = useStandalone();
 * it('works', async () => { const client = new Redis(redis().url); ... });
 */
export function useStandalone(options?: StandaloneOptions): () => StandaloneRedis {
  return useTopology('standalone redis', () => startStandalone(options), START_TIMEOUT_MS);
}

/** Starts a Sentinel group (master, replica, 3 sentinels) for this test file or block. */
export function useSentinel(options?: SentinelGroupOptions): () => SentinelGroup {
  return useTopology('sentinel group', () => startSentinelGroup(options), START_TIMEOUT_MS);
}

/** Starts a six-node Redis Cluster for this test file or block. */
export function useCluster(options?: ClusterHarnessOptions): () => RedisClusterHarness {
  return useTopology('redis cluster', () => startCluster(options), CLUSTER_START_TIMEOUT_MS);
}
