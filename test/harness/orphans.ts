import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { hostProcess } from './host-process.js';
import { DATA_DIR_PREFIX, PID_DIR } from './pid-registry.js';

/** What {@link reapOrphans} cleaned up. */
export interface ReapReport {
  /** Pid files of dead owners that were deleted. */
  readonly files: string[];
  /** Orphaned Redis processes that were SIGKILLed. */
  readonly killed: number[];
  /** Orphaned data directories that were deleted. */
  readonly dirs: string[];
}

/** Whether `pid` exists (EPERM counts as alive: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    hostProcess.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of `pid` (`/proc`, or `ps` where there is no `/proc`), or undefined. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` still looks like the Redis process the harness recorded: its command line names
 * `redis-server` or `redis-sentinel` (or `redis-cli` for a recorded `redis-cli`) and, when a port
 * was recorded, mentions that port. Guards against PID reuse killing an unrelated process.
 */
export function isHarnessRedis(pid: number, port: number, binary: string): boolean {
  const cmd = commandLine(pid);
  if (!cmd) return false;
  const names = binary === 'redis-cli' ? ['redis-cli'] : ['redis-server', 'redis-sentinel'];
  if (!names.some((name) => cmd.includes(name))) return false;
  return port === 0 || new RegExp(`(^|[^0-9])${port}([^0-9]|$)`).test(cmd);
}

/** Only directories the harness creates (`$TMPDIR/nds-harness-*`) are ever deleted. */
function isHarnessDataDir(dir: string): boolean {
  const full = resolve(dir);
  return dirname(full) === resolve(tmpdir()) && basename(full).startsWith(DATA_DIR_PREFIX);
}

/**
 * Cleans up after harness runs that died without stopping their servers (Ctrl-C, crash, SIGKILL):
 * for each `<ownerPid>.pids` file in {@link PID_DIR} whose owner is no longer alive, SIGKILLs the
 * listed PIDs that are still Redis processes on the recorded port, deletes the listed data
 * directories, and deletes the file. Files of live owners (e.g. a parallel Jest worker) are left.
 */
export function reapOrphans(): ReapReport {
  const report = { files: [] as string[], killed: [] as number[], dirs: [] as string[] };
  let names: string[];
  try {
    names = readdirSync(PID_DIR);
  } catch {
    return report;
  }
  for (const name of names) {
    const match = /^(\d+)\.pids$/.exec(name);
    if (!match) continue;
    const owner = Number(match[1]);
    if (owner === hostProcess.pid || isAlive(owner)) continue;
    const file = join(PID_DIR, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // Another process reaped it first.
    }
    for (const line of text.split('\n')) {
      const pidLine = /^pid (\d+) (\d+) (\S+)$/.exec(line);
      if (pidLine) {
        const [pid, port, binary] = [Number(pidLine[1]), Number(pidLine[2]), pidLine[3] ?? ''];
        if (isAlive(pid) && isHarnessRedis(pid, port, binary)) {
          try {
            hostProcess.kill(pid, 'SIGKILL');
            report.killed.push(pid);
          } catch {
            // Exited meanwhile.
          }
        }
        continue;
      }
      const dirLine = /^dir (.+)$/.exec(line);
      if (dirLine?.[1] && isHarnessDataDir(dirLine[1])) {
        rmSync(dirLine[1], { recursive: true, force: true, maxRetries: 2 });
        report.dirs.push(dirLine[1]);
      }
    }
    rmSync(file, { force: true });
    report.files.push(file);
  }
  return report;
}
