import { createServer } from 'node:net';
import { LOOPBACK } from './types.js';

/** Ports are picked below this so that the Cluster bus port (`port + 10000`) is valid too. */
export const MAX_HARNESS_PORT = 55000;

/** Options of {@link getFreePort}. */
export interface FreePortOptions {
  /** Also require `port + 10000` (the Redis Cluster bus port) to be free. */
  readonly clusterBus?: boolean;
}

// Ports handed out by this module instance (including Cluster bus ports); never handed out twice, so
// two servers started by one test file cannot race for a port between the probe and the bind.
const handedOut = new Set<number>();

/** Listens on `127.0.0.1:port` (0 = any) and closes again; resolves with the port, or undefined. */
function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen({ host: LOOPBACK, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Finds a free loopback TCP port below {@link MAX_HARNESS_PORT} by listening on port 0 and closing.
 * There is a short window before redis-server binds the port in which another process could take
 * it; {@link RedisProcess} reports that as a `PortInUseError` and the topologies retry.
 *
 * @throws Error when no suitable port was found in 100 attempts.
 */
export async function getFreePort(options: FreePortOptions = {}): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = await probe(0);
    if (port === undefined || port >= MAX_HARNESS_PORT || handedOut.has(port)) continue;
    // Claim it before the next await so concurrent callers cannot get the same port.
    handedOut.add(port);
    if (options.clusterBus) {
      if (handedOut.has(port + 10000) || (await probe(port + 10000)) === undefined) {
        handedOut.delete(port);
        continue;
      }
      handedOut.add(port + 10000);
    }
    return port;
  }
  throw new Error(`No free loopback port below ${MAX_HARNESS_PORT} found after 100 attempts`);
}
