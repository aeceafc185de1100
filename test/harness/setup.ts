import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapOrphans } from './orphans.js';
import { DATA_DIR_PREFIX, forgetDir, installExitHooks, recordDir } from './pid-registry.js';
import { requireRedisBinaries, type RedisBinaries } from './redis-binary.js';

/**
 * Everything a topology does before it spawns servers: fails fast when Redis is not installed,
 * installs the exit/signal hooks (once per process) and reaps servers left behind by runs that
 * died (cheap: one small directory listing).
 */
export function prepareHarness(): RedisBinaries {
  const binaries = requireRedisBinaries();
  installExitHooks();
  reapOrphans();
  return binaries;
}

/**
 * Creates a fresh data directory `$TMPDIR/nds-harness-<kind>-XXXXXX` (fs.mkdtemp) and records it so
 * the exit hook or a later orphan reap deletes it.
 */
export function createDataDir(kind: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${DATA_DIR_PREFIX}${kind}-`));
  recordDir(dir);
  return dir;
}

/** Deletes a data directory made by {@link createDataDir}. */
export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  forgetDir(dir);
}

/** Re-creates (and re-records) a data directory deleted by {@link removeDataDir}, for restarts. */
export function reviveDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  recordDir(dir);
}
