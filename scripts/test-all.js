// Runs every test: unit and e2e (Express) first, then the HTTP suites again on Fastify, one jest
// run after the other. Run together, the two copies of a load scenario (300 concurrent requests
// over three instances and a Redis Cluster) land on the two workers at once and starve each other
// on a 2-core machine. Writes the summed totals to .test-results/totals.json for .ci/run and
// prints them as one line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const TOTALS = '.test-results/totals.json';
const jest = [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  'node_modules/jest/bin/jest.js',
];
const runs = [
  ['--selectProjects', 'unit', 'e2e'],
  ['--selectProjects', 'e2e-fastify'],
];
// Extra arguments (a path filter, --runInBand...) go to every run.
const extra = ['--passWithNoTests', ...process.argv.slice(2)];

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
