import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getFreePort, type FreePortOptions } from './free-port.js';
import { hostProcess } from './host-process.js';
import { forgetProcess, recordProcess } from './pid-registry.js';
import { PollAbortedError, PollTimeoutError, waitFor, withinMs } from './poll.js';
import { adminCall } from './redis-admin.js';
import { requireRedisBinaries } from './redis-binary.js';
import { LOOPBACK, type RedisEndpoint } from './types.js';

/** `server`: a normal redis-server; `sentinel`: `redis-server <conf> --sentinel`. */
export type RedisProcessMode = 'server' | 'sentinel';

/** Options of {@link RedisProcess}. */
export interface RedisProcessOptions {
  /** Loopback port to listen on. */
  readonly port: number;
  /** The server's own data directory (created if missing); its log file goes there too. */
  readonly dir: string;
  /** Default `server`. */
  readonly mode?: RedisProcessMode;
  /** Sentinel mode only: the config file to pass (sentinel rewrites it, so keep it in `dir`). */
  readonly configFile?: string;
  /** Extra `--option value` arguments, e.g. `['--replicaof', '127.0.0.1', '7000']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for PONG after spawning (ms); default 10000. */
  readonly readyTimeoutMs?: number;
  /** Name used in messages, e.g. `replica`; default `redis-server` / `sentinel`. */
  readonly label?: string;
}

/** redis-server could not bind its port (another process took it after the free-port probe). */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    detail: string,
  ) {
    super(`Port ${port} is already in use: ${detail}`);
    this.name = 'PortInUseError';
  }
}

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** How long {@link RedisProcess.stop} waits after SIGTERM before it sends SIGKILL (ms). */
export const STOP_GRACE_MS = 5000;

/**
 * One redis-server (or sentinel) process, spawned directly (no shell, so `pid` is the server's),
 * bound to 127.0.0.1 only, without persistence, logging to `<dir>/redis.log`. Its PID is recorded
 * in the harness pid file while it runs. It can be stopped, killed and started again on the same
 * port and directory.
 */
export class RedisProcess implements RedisEndpoint {
  /** Always `127.0.0.1`. */
  readonly host = LOOPBACK;
  /** The port the process listens on. */
  readonly port: number;
  /** The process's data directory. */
  readonly dir: string;
  /** The process's log file. */
  readonly logFile: string;
  /** Where the process's stdout and stderr go (startup errors before the log file is open). */
  readonly outputFile: string;
  /** Name used in messages. */
  readonly label: string;
  private readonly options: RedisProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private alive = false;

  constructor(options: RedisProcessOptions) {
    this.options = options;
    this.port = options.port;
    this.dir = options.dir;
    const sentinel = options.mode === 'sentinel';
    this.logFile = join(options.dir, sentinel ? 'sentinel.log' : 'redis.log');
    this.outputFile = join(options.dir, sentinel ? 'sentinel.out' : 'redis.out');
    this.label = `${options.label ?? (sentinel ? 'sentinel' : 'redis-server')} ${LOOPBACK}:${this.port}`;
  }

  /** Spawns a process and waits until it answers PING. See {@link RedisProcess.start}. */
  static async start(options: RedisProcessOptions): Promise<RedisProcess> {
    const redis = new RedisProcess(options);
    await redis.start();
    return redis;
  }

  /** PID of the running (or last) process; undefined before the first start. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process has been spawned and not seen to exit. */
  get running(): boolean {
    return this.alive;
  }

  /** The argument vector passed to redis-server. */
  args(): string[] {
    const common = [
      '--port',
      String(this.port),
      '--bind',
      LOOPBACK,
      '--dir',
      this.dir,
      '--logfile',
      this.logFile,
      '--daemonize',
      'no',
    ];
    if (this.options.mode === 'sentinel') {
      if (!this.options.configFile) throw new Error('Sentinel mode needs a configFile');
      return [this.options.configFile, '--sentinel', ...common, ...(this.options.extraArgs ?? [])];
    }
    return [
      ...common,
      '--save',
      '',
      '--appendonly',
      'no',
      // Replicas sync at once instead of after the default 5 s diskless-sync delay, and load the
      // stream in memory instead of writing a dump.rdb that a restart would load.
      '--repl-diskless-sync-delay',
      '0',
      '--repl-diskless-load',
      'swapdb',
      ...(this.options.extraArgs ?? []),
    ];
  }

  /**
   * Spawns the process (again, after {@link stop} or {@link kill}: same port and directory) and
   * waits until it answers PING.
   *
   * @throws PortInUseError if the port was taken; Error with the log tail if it exits or hangs.
   */
  async start(): Promise<void> {
    if (this.alive) throw new Error(`${this.label} is already running (pid ${this.pid})`);
    const binary = requireRedisBinaries().server;
    mkdirSync(this.dir, { recursive: true });
    // On a restart the files already hold earlier runs; startup errors only show this run's part.
    const from = { log: fileSize(this.logFile), output: fileSize(this.outputFile) };
    // stdout/stderr go to a file (not a pipe): config errors are printed there before the log
    // file is opened, and a file keeps no handle open in this process.
    const output = openSync(this.outputFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(binary, this.args(), { cwd: this.dir, stdio: ['ignore', output, output] });
    } finally {
      closeSync(output);
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    if (child.pid === undefined) {
      throw new Error(`Could not spawn ${binary}: ${(await spawnError).message}`);
    }
    const pid = child.pid;
    this.child = child;
    this.alive = true;
    recordProcess({ pid, port: this.port, binary: 'redis-server' });
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.alive = false;
        forgetProcess(pid);
        resolve();
      });
    });
    // Do not keep the event loop alive for a server a test forgot to stop; the exit hook kills it.
    child.unref();

    try {
      await waitFor(
        `${this.label} (pid ${pid}) to answer PING`,
        async () => {
          if (!this.alive) {
            const log = this.startupLog(from);
            const reason = /Address already in use/i.test(log)
              ? new PortInUseError(this.port, log)
              : undefined;
            throw new PollAbortedError(
              `${this.label} (pid ${pid}) exited during startup (exit code ${child.exitCode}, ` +
                `signal ${child.signalCode}).\n${log}`,
              { cause: reason },
            );
          }
          const reply = await adminCall(this, 'PING');
          if (reply !== 'PONG') throw new Error(`PING answered ${String(reply)}`);
        },
        { timeoutMs: this.options.readyTimeoutMs ?? 10000, intervalMs: 25 },
      );
    } catch (error) {
      await this.kill();
      if (error instanceof PollAbortedError && error.cause instanceof PortInUseError) {
        throw error.cause;
      }
      if (error instanceof PollTimeoutError) error.message += `\n${this.startupLog(from)}`;
      throw error;
    }
  }

  /**
   * Stops the process: SIGTERM, wait up to `graceMs` for it to exit, then SIGKILL. No-op when it
   * is not running. Does not delete the data directory (the topology's `stop()` does).
   */
  async stop(graceMs: number = STOP_GRACE_MS): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGTERM');
    const exited = await withinMs(
      this.exited.then(() => true),
      graceMs,
    );
    if (!exited) await this.kill();
  }

  /** SIGKILLs the process (simulates a crash) and waits until it has exited. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.signal('SIGKILL');
    const done = await withinMs(
      this.exited.then(() => true),
      10000,
    );
    if (done === undefined) throw new Error(`${this.label} (pid ${this.pid}) survived SIGKILL`);
  }

  /** The last lines of `file` from byte `from` on, for error messages. */
  private tail(file: string, from: number, lines = 15): string {
    if (!existsSync(file)) return '(no such file)';
    const text = readFileSync(file).subarray(from).toString('utf8').trimEnd();
    return text === '' ? '(empty)' : text.split('\n').slice(-lines).join('\n');
  }

  /** This run's stdout/stderr and log file tails, for startup error messages. */
  private startupLog(from: { log: number; output: number }): string {
    return (
      `stdout/stderr ${this.outputFile}:\n${this.tail(this.outputFile, from.output)}\n` +
      `log ${this.logFile}:\n${this.tail(this.logFile, from.log)}`
    );
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined) return;
    try {
      hostProcess.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/**
 * Starts a {@link RedisProcess} on a fresh free port, retrying with another port (up to 5 times) if
 * another process grabbed the port between the probe and redis-server's bind.
 *
 * @param options everything but the port; `dir` may depend on the port.
 */
export async function startOnFreePort(
  options: (port: number) => RedisProcessOptions,
  portOptions: FreePortOptions = {},
): Promise<RedisProcess> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await getFreePort(portOptions);
    try {
      return await RedisProcess.start(options(port));
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 5) throw error;
    }
  }
}
