import { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import type { RedisNode, SessionModuleOptions } from 'nestjs-distributed-session';
import { MemcachedSessionStore } from 'nestjs-distributed-session/memcached';
import { PostgresSessionStore } from 'nestjs-distributed-session/postgres';
import pg from 'pg';

/**
 * The session options of the sample app, from its environment:
 * REDIS_URL | REDIS_SENTINELS + REDIS_SENTINEL_NAME | REDIS_CLUSTER_NODES | DATABASE_URL (PostgreSQL;
 * DATABASE_MIGRATE=true applies the schema at start) | MEMCACHED_SERVERS (host:port,...; no
 * session lists: /api/sessions answers 501) (else the memory store),
 * SESSION_SECRETS (comma-separated, newest first), SESSION_IDLE_TIMEOUT_MS,
 * SESSION_ABSOLUTE_TIMEOUT_MS, SESSION_COOKIE_SECURE (default false, for plain http on localhost),
 * SESSION_TRANSPORT (cookie | header), SESSION_NEAR_CACHE (true: replicated near cache, Redis only),
 * SESSION_ROTATION_INTERVAL_MS (token rotation on, at least 1000) with SESSION_ROTATION_GRACE_MS.
 */
export function sessionOptionsFromEnv(config: ConfigService): SessionModuleOptions {
  const logger = new Logger('SampleApp');
  const secrets = list(config.get<string>('SESSION_SECRETS'));
  if (secrets.length === 0) {
    logger.warn(
      'SESSION_SECRETS is not set: using a random secret. Instances started this way do not ' +
        'share sessions; set the same SESSION_SECRETS on every instance.',
    );
    secrets.push(randomBytes(32).toString('base64url'));
  }
  return {
    secrets,
    ...storeFromEnv(config),
    idleTimeoutMs: numberOrUndefined(config.get<string>('SESSION_IDLE_TIMEOUT_MS')),
    absoluteTimeoutMs: numberOrUndefined(config.get<string>('SESSION_ABSOLUTE_TIMEOUT_MS')),
    cookie: { secure: config.get<string>('SESSION_COOKIE_SECURE') === 'true' },
    // A session is bound to the browser that signed in: a stolen cookie elsewhere gets nothing.
    fingerprint: { properties: ['user-agent'] },
    // SESSION_TRANSPORT=header: token in `Authorization: Bearer`, new ones in `x-session-token`.
    transport: { kind: config.get<string>('SESSION_TRANSPORT') === 'header' ? 'header' : 'cookie' },
    rotation: rotationFromEnv(config),
  };
}

/** SESSION_ROTATION_INTERVAL_MS turns token rotation on; the grace needs it and is else ignored. */
function rotationFromEnv(config: ConfigService): SessionModuleOptions['rotation'] {
  const intervalMs = numberOrUndefined(config.get<string>('SESSION_ROTATION_INTERVAL_MS'));
  if (intervalMs === undefined) return undefined;
  const graceMs = numberOrUndefined(config.get<string>('SESSION_ROTATION_GRACE_MS'));
  return { intervalMs, ...(graceMs !== undefined && { graceMs }) };
}

function storeFromEnv(
  config: ConfigService,
): Pick<SessionModuleOptions, 'redis' | 'nearCache' | 'store'> {
  const databaseUrl = config.get<string>('DATABASE_URL');
  if (databaseUrl) {
    const pool = new pg.Pool({ connectionString: databaseUrl });
    const migrate = config.get<string>('DATABASE_MIGRATE') === 'true';
    return { store: new PostgresSessionStore({ pool, migrate }) };
  }
  const memcached = list(config.get<string>('MEMCACHED_SERVERS'));
  if (memcached.length > 0) return { store: new MemcachedSessionStore({ servers: memcached }) };
  const redis = redisFromEnv(config);
  // SESSION_NEAR_CACHE=true: each instance keeps hot sessions in memory, coherent via pub/sub.
  const nearCache = redis && config.get<string>('SESSION_NEAR_CACHE') === 'true' ? {} : undefined;
  return redis ? { redis, nearCache } : {};
}

function redisFromEnv(config: ConfigService): SessionModuleOptions['redis'] {
  const url = config.get<string>('REDIS_URL');
  if (url) return url;
  const sentinels = list(config.get<string>('REDIS_SENTINELS'));
  if (sentinels.length > 0) {
    return {
      sentinels: sentinels.map(toNode),
      name: config.get<string>('REDIS_SENTINEL_NAME') ?? 'mymaster',
    };
  }
  const clusterNodes = list(config.get<string>('REDIS_CLUSTER_NODES'));
  return clusterNodes.length > 0 ? { clusterNodes: clusterNodes.map(toNode) } : undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function toNode(hostPort: string): RedisNode {
  const colon = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, colon), port: Number(hostPort.slice(colon + 1)) };
}

function numberOrUndefined(value: string | undefined): number | undefined {
  return value ? Number(value) : undefined;
}
