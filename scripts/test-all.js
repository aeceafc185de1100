// Runs every test: unit and e2e (Express) first, then the HTTP suites again on Fastify, one jest
// run after the other. Run together, the two copies of a load scenario (300 concurrent requests
// over three instances and a Redis Cluster) land on the two workers at once and starve each other
// on a 2-core machine. For the same reason the load suites (LOAD_SUITES: hundreds of concurrent
// requests on one session) run on their own afterwards, one file at a time, on each platform:
// beside another suite on the second core they measured the machine, not the library (store
// commands over their 2 s timeout). Writes the summed totals to .test-results/totals.json for
// .ci/run and prints them as one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const TOTALS = '.test-results/totals.json';
const jest = [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  'node_modules/jest/bin/jest.js',
];
const LOAD_SUITES = [
  'test/consistency/',
  'test/memcached/memcached.e2e.spec.ts',
  'test/postgres/postgres-consistency.e2e.spec.ts',
];
const loadPattern = `(${LOAD_SUITES.map((path) => path.replace(/[.]/g, '\\.')).join('|')})`;
// Extra arguments (a path filter, --runInBand...) go to every run; with a path filter of its
// own, the caller chose the suites, and the two platform runs are all there is.
const given = process.argv.slice(2);
const filtered = given.some((arg) => !arg.startsWith('-'));
const runs = filtered
  ? [
      ['--selectProjects', 'unit', 'e2e'],
      ['--selectProjects', 'e2e-fastify'],
    ]
  : [
      // A path pattern, not --testPathIgnorePatterns, which would replace each project's own.
      ['--selectProjects', 'unit', 'e2e', '--testPathPatterns', `^(?!.*${loadPattern})`],
      ['--selectProjects', 'e2e-fastify', '--testPathPatterns', `^(?!.*${loadPattern})`],
      ['--selectProjects', 'e2e', '--runInBand', '--testPathPatterns', loadPattern],
      ['--selectProjects', 'e2e-fastify', '--runInBand', '--testPathPatterns', loadPattern],
    ];
const extra = ['--passWithNoTests', ...given];

let passed = 0;
let failed = 0;
let status = 0;
for (const projects of runs) {
  rmSync(TOTALS, { force: true });
  const run = spawnSync(process.execPath, [...jest, ...projects, ...extra], { stdio: 'inherit' });
  if (run.status !== 0) status = run.status ?? 1;
  try {
    const totals = JSON.parse(readFileSync(TOTALS, 'utf8'));
    passed += totals.passed;
    failed += totals.failed;
  } catch {
    // jest stopped before its reporter ran (a crash, or no test matched the filter).
    if (run.status !== 0) failed += 1;
  }
}
if (status !== 0 && failed === 0) failed = 1;
mkdirSync('.test-results', { recursive: true });
writeFileSync(TOTALS, JSON.stringify({ passed, failed }) + '\n');
process.stdout.write(`\nAll runs: ${passed} passed, ${failed} failed\n`);
process.exit(status);
