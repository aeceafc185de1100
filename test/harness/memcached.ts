/// <reference types="jest" />
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { findOnPath } from './redis-binary.js';
import { getFreePort } from './free-port.js';
import { forgetProcess, installExitHooks, recordProcess } from './pid-registry.js';
import { waitFor } from './poll.js';
import { LOOPBACK } from './types.js';

/** Debian's package; `.ci/run` installs it when missing. */
export const MEMCACHED_INSTALL_HINT = 'install memcached: apt-get install memcached';

/** One memcached process on a loopback port, started by {@link startMemcached}. */
export interface MemcachedServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly port: number;
  readonly pid: number | undefined;
  /** SIGKILL (a crash); {@link restart} brings it back, empty, on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts memcached on a free loopback port and waits until it answers `version`. */
export async function startMemcached(): Promise<MemcachedServer> {
  const binary = findOnPath('memcached');
  if (!binary) throw new Error(`memcached is not on PATH: ${MEMCACHED_INSTALL_HINT}`);
  installExitHooks();
  const port = await getFreePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    // memcached refuses to run as root unless told which user to stay.
    const asUser = process.getuid?.() === 0 ? ['-u', userInfo().username] : [];
    const started = spawn(
      binary!,
      [...asUser, '-l', LOOPBACK, '-p', String(port), '-U', '0', '-m', '64', '-t', '2'],
      { stdio: 'ignore' },
    );
    child = started;
    if (started.pid === undefined) throw new Error('memcached did not start');
    const pid = started.pid;
    recordProcess({ pid, port, binary: 'memcached' });
    started.once('exit', () => forgetProcess(pid));
    await waitFor(`memcached on ${LOOPBACK}:${port}`, () => answersVersion(port), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  }

  async function halt(signal: NodeJS.Signals): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    address: `${LOOPBACK}:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    kill: () => halt('SIGKILL'),
    async restart() {
      await halt('SIGTERM');
      await start();
    },
    stop: () => halt('SIGTERM'),
  };
}

/** Resolves when memcached on `port` answers `version`; throws (not yet) otherwise. */
function answersVersion(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('version\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('VERSION')) resolve();
      else reject(new Error(`unexpected answer ${data.toString()}`));
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('no answer'));
    });
    socket.once('error', (error) => reject(error));
  });
}

/** Starts `count` memcached servers for this test file (or block) and stops them afterwards. */
export function useMemcached(count = 1): () => MemcachedServer[] {
  let servers: MemcachedServer[] = [];
  beforeAll(async () => {
    servers = await Promise.all(Array.from({ length: count }, () => startMemcached()));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    servers = [];
  }, 30_000);
  return () => {
    if (servers.length === 0) throw new Error('memcached runs only after beforeAll');
    return servers;
  };
}
