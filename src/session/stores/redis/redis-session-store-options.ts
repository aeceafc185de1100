import type { Cluster, Redis } from 'ioredis';

export interface RedisSessionStoreOptions {
  /** A standalone, Sentinel-backed or Cluster client. */
  readonly client: Redis | Cluster;
  /** Prefix of every key this store writes. @default 'sess:' */
  readonly prefix?: string;
  /** Longest wait for one store operation before it fails with 503. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** Close the client in `close()`: true only for clients the module built itself. @default false */
  readonly ownsClient?: boolean;
  /**
   * Independent Redis masters for redlock's quorum. @default [] (the lock lives on `client`,
   * and a commit releases it in the same round trip)
   */
  readonly lockClients?: readonly (Redis | Cluster)[];
  /**
   * Replicas that must hold a write before it counts: every commit, destroy and index update is
   * followed by `WAIT replicaAcks replicaAckTimeoutMs` in the same pipeline, on the node owning
   * the key's slot (no extra round trip, but the reply waits for replication). Lock grants and
   * the idle slide of a load are not waited for. @default 0 (no WAIT)
   */
  readonly replicaAcks?: number;
  /** Longest WAIT for the replicas, ms. @default half of `commandTimeoutMs` */
  readonly replicaAckTimeoutMs?: number;
  /**
   * When fewer replicas answered in time: 'fail' raises `SessionReplicationError` (503; the write
   * happened on the master but may not survive its loss), 'warn' accepts the commit and reports
   * it (`store-error` event with operation 'replicate'). @default 'fail'
   */
  readonly onReplicaShortfall?: 'fail' | 'warn';
  /**
   * The longest a session lives (the module passes `absoluteTimeoutMs`): how long a destroyed
   * session's tag stays revoked when its own deadline cannot be read. @default 86_400_000 (24 h)
   */
  readonly maxSessionLifetimeMs?: number;
}
