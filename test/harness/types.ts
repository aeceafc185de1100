/** Loopback address every harness server binds to (and nothing else). */
export const LOOPBACK = '127.0.0.1';

/** Where a server listens. Always `127.0.0.1` for harness servers. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Formats an endpoint as `host:port` for messages. */
export function formatEndpoint(endpoint: RedisEndpoint): string {
  return `${endpoint.host}:${endpoint.port}`;
}

/** Whether two endpoints name the same server. */
export function sameEndpoint(a: RedisEndpoint, b: RedisEndpoint): boolean {
  return a.host === b.host && a.port === b.port;
}
