import type { Cluster, Redis } from 'ioredis';

/** A Redis host and port. */
export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/** Redis through Sentinel: the sentinels find the master named `name`. */
export interface RedisSentinelConnection {
  readonly sentinels: readonly RedisNode[];
  /** The master name the sentinels monitor. */
  readonly name: string;
  readonly password?: string;
  readonly sentinelPassword?: string;
  readonly db?: number;
}

/** A Redis Cluster, reached through any of its nodes. */
export interface RedisClusterConnection {
  readonly clusterNodes: readonly RedisNode[];
  readonly password?: string;
}

/**
 * Where sessions live in Redis: a URL (`redis://host:port/db`, `rediss://` for TLS), a client you
 * built (the module leaves it open at shutdown), Sentinel settings, or Cluster nodes.
 */
export type RedisConnection =
  string | Redis | Cluster | RedisSentinelConnection | RedisClusterConnection;

/** Whether `value` is one of the shapes of {@link RedisConnection}; the `redis` option's check. */
export function isRedisConnection(value: unknown): boolean {
  if (typeof value === 'string') return /^rediss?:\/\//.test(value);
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.defineCommand === 'function') return true;
  if (Array.isArray(candidate.sentinels)) return typeof candidate.name === 'string';
  return Array.isArray(candidate.clusterNodes) && candidate.clusterNodes.length > 0;
}
