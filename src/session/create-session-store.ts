import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import type { ResolvedSessionOptions } from './resolve-session-options.js';
import type { RedisConnection } from './redis-connection.js';
import { CookieSessionStore } from './stateless/cookie-session-store.js';
import { EncryptedSessionStore } from './stores/encrypted/encrypted-session-store.js';
import { MemorySessionStore } from './stores/memory/memory-session-store.js';
import { NearCachedSessionStore } from './stores/near-cache/near-cached-session-store.js';
import { RedisSessionStore } from './stores/redis/redis-session-store.js';
import type { SessionStore } from './stores/session-store.js';

/**
 * The store of the options: for cookie sessions the store that refuses store operations, else
 * `store` as given, else Redis from `redis`, else process memory;
 * wrapped in {@link EncryptedSessionStore} when `encryption` is configured.
 */
export function createSessionStore(options: ResolvedSessionOptions): SessionStore {
  const store = createPlainStore(options);
  const { encryption } = options.security;
  return encryption ? new EncryptedSessionStore(store, encryption.keys) : store;
}

function createPlainStore(options: ResolvedSessionOptions): SessionStore {
  if (options.cookieSessions) {
    return new CookieSessionStore({
      denyList: options.cookieSessions.denyList,
      prefix: options.prefix,
      commandTimeoutMs: options.commandTimeoutMs,
    });
  }
  if (options.store) return options.store;
  if (options.redis !== undefined) {
    const ownsClient = !isClient(options.redis);
    const client = isClient(options.redis) ? options.redis : buildClient(options.redis, options);
    const store = new RedisSessionStore({
      client,
      prefix: options.prefix,
      commandTimeoutMs: options.commandTimeoutMs,
      ownsClient,
      lockClients: options.lock.quorum,
      replicaAcks: options.replicaAcks,
      replicaAckTimeoutMs: options.replicaAckTimeoutMs,
      onReplicaShortfall: options.onReplicaShortfall,
      maxSessionLifetimeMs: options.absoluteTimeoutMs,
    });
    return options.nearCache ? new NearCachedSessionStore(store, client, options.nearCache) : store;
  }
  new Logger('SessionModule').warn(
    'Sessions are kept in process memory (MemorySessionStore): they serve this one process ' +
      'only and are lost on restart. Set `redis` to share them between servers.',
  );
  return new MemorySessionStore({ maxSessionLifetimeMs: options.absoluteTimeoutMs });
}

function isClient(connection: RedisConnection): connection is Redis | Cluster {
  return typeof connection === 'object' && 'defineCommand' in connection;
}

/**
 * A client that fails fast: no offline queue (a command sent while Redis is away fails at once
 * instead of being replayed later, after its request already got 503), and a command timeout.
 */
function buildClient(
  connection: Exclude<RedisConnection, Redis | Cluster>,
  options: ResolvedSessionOptions,
): Redis | Cluster {
  const failFast = {
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  };
  if (typeof connection === 'string') return new Redis(connection, failFast);
  if ('sentinels' in connection) {
    return new Redis({
      ...failFast,
      sentinels: connection.sentinels.map(({ host, port }) => ({ host, port })),
      name: connection.name,
      password: connection.password,
      sentinelPassword: connection.sentinelPassword,
      db: connection.db,
    });
  }
  return new Cluster(
    connection.clusterNodes.map(({ host, port }) => ({ host, port })),
    {
      enableOfflineQueue: false,
      redisOptions: { commandTimeout: options.commandTimeoutMs, password: connection.password },
    },
  );
}
