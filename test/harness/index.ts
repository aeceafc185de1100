/**
 * Test harness: real redis-server processes (standalone, Sentinel, Cluster) on loopback for a Jest
 * test file, stopped afterwards and reaped if a run dies. See `test/harness/README.md`.
 */
export {
  CLUSTER_SIZE,
  parseClusterNodes,
  startCluster,
  type ClusterHarnessOptions,
  type ClusterNodeView,
  type RedisClusterHarness,
} from './cluster.js';
export { getFreePort, MAX_HARNESS_PORT, type FreePortOptions } from './free-port.js';
export {
  CLUSTER_START_TIMEOUT_MS,
  START_TIMEOUT_MS,
  useCluster,
  useSentinel,
  useStandalone,
} from './jest.js';
export { commandLine, isAlive, isHarnessRedis, reapOrphans, type ReapReport } from './orphans.js';
export {
  DATA_DIR_PREFIX,
  killAllRecordedSync,
  PID_DIR,
  pidFilePath,
  recordedPids,
} from './pid-registry.js';
export { PollAbortedError, PollTimeoutError, waitFor, type WaitForOptions } from './poll.js';
export { adminCall, infoOf, parseInfo, withAdminClient } from './redis-admin.js';
export {
  findOnPath,
  REDIS_INSTALL_HINT,
  RedisNotInstalledError,
  requireRedisBinaries,
  type RedisBinaries,
} from './redis-binary.js';
export {
  PortInUseError,
  RedisProcess,
  startOnFreePort,
  type RedisProcessMode,
  type RedisProcessOptions,
} from './redis-process.js';
export { startSentinelGroup, type SentinelGroup, type SentinelGroupOptions } from './sentinel.js';
export { startStandalone, type StandaloneOptions, type StandaloneRedis } from './standalone.js';
export { LOOPBACK, type RedisEndpoint } from './types.js';
