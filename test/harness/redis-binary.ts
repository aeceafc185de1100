import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** How to install the Redis binaries the harness needs; part of every "not installed" error. */
export const REDIS_INSTALL_HINT =
  'Install Redis: `apt-get install redis-server redis-tools` (Debian/Ubuntu) ' +
  'or `brew install redis` (macOS).';

/** Thrown when `redis-server` or `redis-cli` cannot be found on PATH. */
export class RedisNotInstalledError extends Error {
  constructor(binary: string) {
    super(
      `\`${binary}\` was not found on PATH; the Redis test harness needs it. ${REDIS_INSTALL_HINT}`,
    );
    this.name = 'RedisNotInstalledError';
  }
}

/** Absolute paths of the Redis binaries the harness runs. */
export interface RedisBinaries {
  /** `redis-server`, also used for sentinels (`redis-server <conf> --sentinel`). */
  readonly server: string;
  /** `redis-cli`, used for `redis-cli --cluster create`. */
  readonly cli: string;
}

/**
 * Finds an executable like `which` does: the first PATH entry holding an executable file `name`.
 * Uses only `fs.accessSync`/`fs.statSync`, so it answers at once. Empty and relative PATH entries
 * are ignored (they would depend on the working directory).
 *
 * @param name the executable's file name, e.g. `redis-server`.
 * @param pathEnv the PATH to search; defaults to `process.env.PATH`.
 * @returns the absolute path, or `undefined` when no entry has it.
 */
export function findOnPath(
  name: string,
  pathEnv: string = process.env.PATH ?? '',
): string | undefined {
  for (const entry of pathEnv.split(delimiter)) {
    if (entry === '' || !isAbsolute(entry)) continue;
    const candidate = join(entry, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; try the next entry.
    }
  }
  return undefined;
}

let cached: RedisBinaries | undefined;

/**
 * Resolves `redis-server` and `redis-cli` on PATH, or throws {@link RedisNotInstalledError} at once
 * with the install commands. The result for the default PATH is computed once and cached.
 *
 * @param pathEnv a PATH to search instead of `process.env.PATH` (not cached; for tests).
 * @throws RedisNotInstalledError when either binary is missing.
 */
export function requireRedisBinaries(pathEnv?: string): RedisBinaries {
  if (pathEnv === undefined && cached) return cached;
  const server = findOnPath('redis-server', pathEnv);
  if (!server) throw new RedisNotInstalledError('redis-server');
  const cli = findOnPath('redis-cli', pathEnv);
  if (!cli) throw new RedisNotInstalledError('redis-cli');
  const found = { server, cli };
  if (pathEnv === undefined) cached = found;
  return found;
}
