import { join } from 'node:path';
import { RedisProcess, startOnFreePort } from './redis-process.js';
import { createDataDir, prepareHarness, removeDataDir, reviveDataDir } from './setup.js';

/** A single redis-server on 127.0.0.1, started by {@link startStandalone}. */
export interface StandaloneRedis {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** PID of the current server process (changes on {@link restart}). */
  readonly pid: number | undefined;
  /** The underlying process (log file, data directory). */
  readonly process: RedisProcess;
  /** PIDs of every process of this topology, for leak checks. */
  pids(): number[];
  /** SIGTERM, wait for exit (SIGKILL after a grace period), delete the data directory. */
  stop(): Promise<void>;
  /** SIGKILL the server (simulates a crash); {@link restart} brings it back. */
  kill(): Promise<void>;
  /** Start the server again on the same port (after kill/stop; stops it first if running). */
  restart(): Promise<void>;
}

/** Options of {@link startStandalone}. */
export interface StandaloneOptions {
  /** Additional redis-server arguments, e.g. `['--maxmemory', '10mb']`. */
  readonly extraArgs?: readonly string[];
}

/**
 * Starts one redis-server on a free loopback port with its own temporary data directory and no
 * persistence, and waits until it answers PING.
 *
 * @throws RedisNotInstalledError at once when redis-server is not on PATH.
 */
export async function startStandalone(options: StandaloneOptions = {}): Promise<StandaloneRedis> {
  prepareHarness();
  const extraArgs = options.extraArgs ?? [];
  const root = createDataDir('standalone');
  let server: RedisProcess;
  try {
    server = await startOnFreePort((port) => ({ port, dir: join(root, String(port)), extraArgs }));
  } catch (error) {
    removeDataDir(root);
    throw error;
  }
  return {
    host: '127.0.0.1',
    port: server.port,
    url: `redis://127.0.0.1:${server.port}`,
    get pid() {
      return server.pid;
    },
    process: server,
    pids: () => (server.pid === undefined ? [] : [server.pid]),
    async stop() {
      try {
        await server.stop();
      } finally {
        removeDataDir(root);
      }
    },
    kill: () => server.kill(),
    async restart() {
      await server.stop();
      reviveDataDir(root);
      await server.start();
    },
  };
}
