// Entry of `npm run bench`: compiles the bench (and the library source it imports) to bench/dist,
// copies the library's Lua scripts beside the compiled store, then runs the compiled runner.
//   --no-build     skip the compilation (bench/dist is fresh)
//   --entry=<name> run bench/<name>.ts (e.g. lock-contention) instead of the runner
//   --lib=<rev>    benchmark the library (src/ and test/harness/) as committed at a git revision,
//                  e.g. --lib=HEAD, instead of the working tree (which may hold changes in progress)
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const dist = join(benchDir, 'dist');
const libFlag = process.argv.find((arg) => arg.startsWith('--lib='));
const entryFlag = process.argv.find((arg) => arg.startsWith('--entry='));
const args = process.argv
  .slice(2)
  .filter((arg) => arg !== '--no-build' && arg !== libFlag && arg !== entryFlag);
let sourceRoot = root;
let snapshot;
const env = { ...process.env };

holdDistLock();

if (libFlag) {
  const rev = libFlag.slice('--lib='.length);
  const commit = execFileSync('git', ['rev-parse', '--short', rev], {
    cwd: root,
    encoding: 'utf8',
  });
  env.BENCH_LIBRARY = `${commit.trim()} (--lib=${rev})`;
  snapshot = mkdtempSync(join(tmpdir(), 'nds-bench-src-'));
  const archive = execFileSync(
    'git',
    ['archive', rev, 'src', 'test/harness', 'sample-app', 'tsconfig.json'],
    {
      cwd: root,
      maxBuffer: 256 * 2 ** 20,
    },
  );
  execFileSync('tar', ['-x', '-C', snapshot], { input: archive });
  for (const entry of readdirSync(benchDir)) {
    if (!['dist', 'results', 'node_modules'].includes(entry)) {
      cpSync(join(benchDir, entry), join(snapshot, 'bench', entry), { recursive: true });
    }
  }
  cpSync(join(root, 'package.json'), join(snapshot, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
  sourceRoot = snapshot;
}

if (!process.argv.includes('--no-build')) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const tsconfig = join(sourceRoot, 'bench', 'tsconfig.json');
  rmSync(dist, { recursive: true, force: true });
  const build = spawnSync(process.execPath, [tsc, '-p', tsconfig, '--outDir', dist], {
    encoding: 'utf8',
  });
  const output = `${build.stdout ?? ''}${build.stderr ?? ''}`;
  if (build.status !== 0) {
    process.stderr.write(output);
    // Errors in bench/ stop the run. Errors only in the library source (another change in
    // progress) do not: tsc still emitted JavaScript, which is what the bench runs.
    const benchErrors = output.split('\n').filter((line) => /(^|\/)bench\/[^(]*\.ts\(/.test(line));
    if (benchErrors.length > 0 || !existsSync(join(dist, 'bench', 'runner.js'))) {
      console.error('bench: tsc failed (see above)');
      process.exit(build.status ?? 1);
    }
    console.error(
      'bench: WARNING: the library source has type errors (above); running the emitted JS',
    );
  }
  copyLua(join(sourceRoot, 'src'), join(dist, 'src'));
  // The sample app (a contender) serves its page from beside its compiled source.
  cpSync(join(sourceRoot, 'sample-app', 'public'), join(dist, 'sample-app', 'public'), {
    recursive: true,
  });
}
if (snapshot) rmSync(snapshot, { recursive: true, force: true });

/**
 * One run at a time per checkout: a second run would delete and rebuild bench/dist under the
 * first one's contenders. The lock file holds the owner's pid; a lock whose owner is gone is
 * taken over.
 */
function holdDistLock() {
  const lock = join(benchDir, '.dist.lock');
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      process.on('exit', () => rmSync(lock, { force: true }));
      for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(lock, 'utf8'));
    if (owner > 0 && isAlive(owner)) {
      console.error(`bench: another run (pid ${owner}) is using bench/dist; wait for it to end`);
      process.exit(1);
    }
    rmSync(lock, { force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function copyLua(fromDir, toDir) {
  for (const entry of readdirSync(fromDir, { withFileTypes: true })) {
    const from = join(fromDir, entry.name);
    if (entry.isDirectory()) copyLua(from, join(toDir, entry.name));
    else if (entry.name.endsWith('.lua')) {
      mkdirSync(toDir, { recursive: true });
      cpSync(from, join(toDir, entry.name));
    }
  }
}

const entry = entryFlag ? entryFlag.slice('--entry='.length) : 'runner';
const runner = join(dist, 'bench', `${entry}.js`);
if (!existsSync(runner)) {
  console.error(`bench: ${runner} is missing; run without --no-build`);
  process.exit(1);
}
const run = spawnSync(process.execPath, [runner, ...args], { stdio: 'inherit', env });
process.exit(run.status ?? (run.signal ? 1 : 0));
