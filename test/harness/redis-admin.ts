import { Redis } from 'ioredis';
import type { RedisEndpoint } from './types.js';

/**
 * Opens a short-lived admin connection (RESP2, no retries, no offline queue), runs `fn`, and always
 * closes the connection. Connection errors reject instead of being retried or logged.
 */
export async function withAdminClient<T>(
  endpoint: RedisEndpoint,
  fn: (client: Redis) => Promise<T>,
  timeoutMs = 3000,
): Promise<T> {
  const client = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    lazyConnect: true,
    protocol: 2,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    disableClientInfo: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // After a failed connect ioredis' disconnect() arms a timer of this length (default 2000 ms)
    // that nothing clears; keep it short so it cannot hold Jest open.
    disconnectTimeout: 100,
  });
  client.on('error', () => {
    // Reported through the rejected command/connect promise instead.
  });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

/** Runs one command on a fresh admin connection, e.g. `adminCall(ep, 'INFO', 'replication')`. */
export function adminCall(
  endpoint: RedisEndpoint,
  command: string,
  ...args: (string | number)[]
): Promise<unknown> {
  return withAdminClient(endpoint, (client) => client.call(command, args));
}

/** Parses `INFO` / `CLUSTER INFO` text (`key:value` lines) into a record. */
export function parseInfo(text: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of String(text).split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) result[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return result;
}

/** Runs `INFO <section>` (or `CLUSTER INFO` when section is `cluster-info`) and parses it. */
export async function infoOf(
  endpoint: RedisEndpoint,
  section: 'replication' | 'server' | 'cluster-info',
): Promise<Record<string, string>> {
  const reply =
    section === 'cluster-info'
      ? await adminCall(endpoint, 'CLUSTER', 'INFO')
      : await adminCall(endpoint, 'INFO', section);
  return parseInfo(reply);
}

/** Turns a flat `[key, value, key, value, ...]` reply (e.g. `SENTINEL MASTER`) into a record. */
export function pairsToRecord(reply: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!Array.isArray(reply)) return result;
  for (let i = 0; i + 1 < reply.length; i += 2) result[String(reply[i])] = String(reply[i + 1]);
  return result;
}
