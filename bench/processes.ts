/**
 * The processes a bench run starts: contender apps (each its own Node process, pinned to the app
 * core) and CPU pinning of the redis-servers. Every child is tracked and killed when the runner
 * exits, also on an error or Ctrl-C; contenders also exit by themselves when the runner's IPC
 * channel closes (even if the runner is SIGKILLed).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killAllRecordedSync } from '../test/harness/pid-registry.js';
import type { ContenderKind, ContenderMessage } from './protocol.js';

const children = new Set<ChildProcess>();

function killChildrenSync(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

let hooksInstalled = false;

/** Kills every contender and every harness redis-server on exit, error or signal. */
export function installCleanupHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    killChildrenSync();
    killAllRecordedSync();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping every process the bench started`);
      killChildrenSync();
      killAllRecordedSync();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

let tasksetAvailable: boolean | undefined;

/** Whether `taskset` exists and the machine has at least two cores to split. */
export function canPin(cores: number): boolean {
  if (tasksetAvailable === undefined) {
    try {
      execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
      tasksetAvailable = true;
    } catch {
      tasksetAvailable = false;
    }
  }
  return tasksetAvailable && cores >= 2;
}

/** Pins running processes (e.g. redis-servers) to a CPU list such as "0". */
export function pin(pids: readonly number[], cpus: string): void {
  for (const pid of pids) {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  }
}

export interface ContenderProcess {
  readonly kind: ContenderKind;
  readonly port: number;
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

export interface StartContenderOptions {
  readonly kind: ContenderKind;
  readonly env: Record<string, string>;
  /** CPU list for `taskset -c`, or undefined to leave the process unpinned. */
  readonly cpus?: string;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** The compiled contender to run instead of this build's (another revision's `bench/dist`). */
  readonly script?: string;
}

const CONTENDER_SCRIPT = fileURLToPath(new URL('./contender.js', import.meta.url));

/** Starts one contender and waits until it listens. */
export async function startContender(options: StartContenderOptions): Promise<ContenderProcess> {
  const nodeArgs = [...(options.nodeFlags ?? []), options.script ?? CONTENDER_SCRIPT];
  const [command, args] = options.cpus
    ? ['taskset', ['-c', options.cpus, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    env: { ...process.env, ...options.env, BENCH_KIND: options.kind, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const message = await new Promise<ContenderMessage>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.kind} did not start in 30 s`)),
      30_000,
    );
    child.once('message', (value) => {
      clearTimeout(timer);
      resolve(value as ContenderMessage);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${options.kind} exited with ${String(code)} before it was ready\n${stderr}`),
      );
    });
  });
  if (message.type === 'error') {
    child.kill('SIGKILL');
    throw new Error(`${options.kind} failed to start: ${message.message}`);
  }
  return {
    kind: options.kind,
    port: message.port,
    pid: message.pid,
    url: `http://127.0.0.1:${message.port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 8000, 'timeout'));
        if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
        await exited;
      }
      children.delete(child);
    },
  };
}
