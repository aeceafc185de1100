import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostProcess, sharedState } from './host-process.js';

/** Directory holding one `<ownerPid>.pids` file per process that runs harness servers. */
export const PID_DIR = join(tmpdir(), 'nestjs-distributed-session-harness');

/** Prefix of every harness data directory created in `os.tmpdir()`. */
export const DATA_DIR_PREFIX = 'nds-harness-';

/** One process the harness spawned. */
export interface RecordedProcess {
  readonly pid: number;
  /** The port it serves (0 for helpers such as `redis-cli`); checked before killing an orphan. */
  readonly port: number;
  /** Binary name, e.g. `redis-server`. */
  readonly binary: string;
}

interface RegistryState {
  readonly processes: Map<number, RecordedProcess>;
  readonly dirs: Set<string>;
  hooksInstalled: boolean;
}

const state = sharedState<RegistryState>('registry', () => ({
  processes: new Map(),
  dirs: new Set(),
  hooksInstalled: false,
}));

/** The pid file of `ownerPid` (default: this process). */
export function pidFilePath(ownerPid: number = hostProcess.pid): string {
  return join(PID_DIR, `${ownerPid}.pids`);
}

/**
 * Pid file format, one record per line:
 * `pid <pid> <port> <binary>` for a spawned process, `dir <path>` for a data directory.
 */
function writePidFile(): void {
  const file = pidFilePath();
  if (state.processes.size === 0 && state.dirs.size === 0) {
    rmSync(file, { force: true });
    return;
  }
  const lines = [`# nestjs-distributed-session test harness, owner pid ${hostProcess.pid}`];
  for (const p of state.processes.values()) lines.push(`pid ${p.pid} ${p.port} ${p.binary}`);
  for (const dir of state.dirs) lines.push(`dir ${dir}`);
  mkdirSync(PID_DIR, { recursive: true });
  const temp = `${file}.${Date.now()}.tmp`;
  writeFileSync(temp, `${lines.join('\n')}\n`);
  renameSync(temp, file);
}

/** Records a spawned process in memory and in this process's pid file (synchronously). */
export function recordProcess(entry: RecordedProcess): void {
  state.processes.set(entry.pid, entry);
  writePidFile();
}

/** Forgets a process once it has exited. */
export function forgetProcess(pid: number): void {
  if (state.processes.delete(pid)) writePidFile();
}

/** Records a data directory to delete if this process dies without stopping its servers. */
export function recordDir(dir: string): void {
  state.dirs.add(dir);
  writePidFile();
}

/** Forgets a data directory once it has been removed. */
export function forgetDir(dir: string): void {
  if (state.dirs.delete(dir)) writePidFile();
}

/** PIDs this process spawned that have not been seen to exit yet. */
export function recordedPids(): number[] {
  return [...state.processes.keys()];
}

/**
 * SIGKILLs every recorded process and deletes every recorded data directory and the pid file,
 * synchronously (usable from an `exit` hook). Errors are ignored: this is a last resort.
 */
export function killAllRecordedSync(): void {
  for (const { pid } of state.processes.values()) {
    try {
      hostProcess.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of state.dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  state.processes.clear();
  state.dirs.clear();
  try {
    rmSync(pidFilePath(), { force: true });
  } catch {
    // Nothing more to do on the way out.
  }
}

function onSignal(signal: NodeJS.Signals): void {
  killAllRecordedSync();
  hostProcess.removeListener('SIGINT', onSignal);
  hostProcess.removeListener('SIGTERM', onSignal);
  // Re-raise so the default action (terminate) happens, unless someone else handles the signal.
  if (hostProcess.listenerCount(signal) === 0) hostProcess.kill(hostProcess.pid, signal);
}

/**
 * Installs, once per OS process, an `exit` hook and SIGINT/SIGTERM handlers on the real process that
 * SIGKILL every recorded server; the signal handlers then re-raise the signal.
 */
export function installExitHooks(): void {
  if (state.hooksInstalled) return;
  state.hooksInstalled = true;
  hostProcess.on('exit', killAllRecordedSync);
  hostProcess.on('SIGINT', onSignal);
  hostProcess.on('SIGTERM', onSignal);
}
