// SLOW (about 1–2 minutes): packs the library (`npm pack`, which runs `prepack`: a full build),
// then builds and runs a CommonJS and an ES-module Nest app against the tarball, not the source.
// Everything happens in a copy of the repository under the OS tmpdir: the repository's own dist/
// (which the demo tests run) is never rebuilt under a running test.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = process.cwd();
/** What `npm pack` and `nest build` need from the repository. */
const COPIED = [
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'scripts',
  'src',
  'sample-app/src',
  'sample-app/public',
  'sample-app/tsconfig.json',
];

/** A copy of the repository (sources and configs, node_modules linked) to pack and build in. */
function copyRepository(into: string): string {
  const copy = join(into, 'repo');
  for (const entry of COPIED) {
    if (existsSync(join(ROOT, entry)))
      cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}
const STEP_TIMEOUT_MS = 120_000;

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: STEP_TIMEOUT_MS,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} failed (${result.status ?? result.signal}):\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** Packages the app needs beside the library: its peers, and what the app itself uses. */
const APP_PACKAGES = [
  '@nestjs/platform-express',
  '@types/node',
  '@types/express',
  '@types/jest',
  '@types/pg',
  'typescript',
];

interface PackedManifest {
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly files?: string[];
}

/** An app folder whose node_modules holds the unpacked tarball and links to this repo's peers. */
function createApp(kind: 'commonjs' | 'module', tarball: string): string {
  const app = mkdtempSync(join(tmpdir(), `nds-${kind}-app-`));
  const library = join(app, 'node_modules', 'nestjs-distributed-session');
  mkdirSync(library, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', library, '--strip-components=1'], app);
  const manifest = JSON.parse(
    readFileSync(join(library, 'package.json'), 'utf8'),
  ) as PackedManifest;
  // Only what the packed manifest declares (and the app's own packages) is linked: an import the
  // manifest forgot fails here.
  const linked = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...APP_PACKAGES,
  ]);
  for (const name of linked) {
    const target = join(app, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), target, 'dir');
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: `app-${kind}`, type: kind }));
  const compilerOptions = {
    ...(kind === 'commonjs'
      ? // The Nest CLI's classic CommonJS tsconfig.
        { module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0' }
      : { module: 'nodenext', moduleResolution: 'nodenext' }),
    target: 'ES2023',
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    skipLibCheck: true,
    strict: true,
    types: ['node'],
    outDir: 'dist',
    rootDir: 'src',
  };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
  mkdirSync(join(app, 'src'));
  writeFileSync(
    join(app, 'src', 'main.ts'),
    readFileSync(join(ROOT, 'test', 'packaging', 'apps', 'main.ts'), 'utf8'),
  );
  return app;
}

interface AppResult {
  first: { visits: number; service: boolean };
  second: { visits: number; service: boolean };
  cookieName: string;
  entryPoints: Record<string, string>;
}

function buildAndRun(app: string): AppResult {
  run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], app);
  const output = run(process.execPath, [join(app, 'dist', 'main.js')], app);
  const line = output.split('\n').find((text) => text.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in:\n${output}`);
  return JSON.parse(line.slice('RESULT '.length)) as AppResult;
}

describe('the packed tarball (slow: npm pack and two app builds, about 1–2 minutes)', () => {
  let work: string;
  let repo: string;
  let tarball: string;
  const apps: string[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'nds-pack-'));
    repo = copyRepository(work);
    const output = run('npm', ['pack', '--json', '--pack-destination', work], repo);
    const packed = JSON.parse(output.slice(output.indexOf('['))) as { filename: string }[];
    tarball = join(work, packed[0].filename);
  }, STEP_TIMEOUT_MS);

  afterAll(() => {
    for (const dir of [work, ...apps]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships compiled code and types only: no source maps, no specs, no files read at run time', () => {
    const files = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/testing/index.d.ts');
    expect(files).toContain('package/dist/helmet/index.js');
    expect(files).toContain('package/dist/jwt/index.js');
    expect(files.filter((file) => /\.map$|\.spec\.|\.lua$|\.sql$|\/src\//.test(file))).toEqual([]);
    const code = run('tar', ['-xzOf', tarball, '--wildcards', 'package/dist/*.js'], work);
    expect(code).not.toMatch(/import\.meta|readFileSync/);
  });

  it.each(['commonjs', 'module'] as const)(
    'a %s Nest app type-checks every entry point, boots SessionModule and keeps a session',
    (kind) => {
      const app = createApp(kind, tarball);
      apps.push(app);
      const result = buildAndRun(app);
      expect(result.first).toEqual({ visits: 1, service: true });
      expect(result.second).toEqual({ visits: 2, service: true });
      expect(result.cookieName).toBe('sid');
      expect(Object.values(result.entryPoints)).toEqual(
        expect.arrayContaining(['function', 'object']),
      );
      expect(Object.entries(result.entryPoints).filter(([, type]) => type === 'undefined')).toEqual(
        [],
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    '`nest build` (nest-cli.json) builds the sample app against the built library',
    () => {
      rmSync(join(repo, 'sample-app', 'dist'), { recursive: true, force: true });
      run(
        process.execPath,
        [join(repo, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'],
        repo,
      );
      expect(existsSync(join(repo, 'sample-app', 'dist', 'main.js'))).toBe(true);
      expect(readFileSync(join(repo, 'sample-app', 'dist', 'app.module.js'), 'utf8')).toContain(
        "from 'nestjs-distributed-session/helmet'",
      );
    },
    STEP_TIMEOUT_MS,
  );
});
