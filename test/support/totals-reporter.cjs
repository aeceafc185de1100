// Prints the plain totals line CI reads ("N passed, N failed") and writes it to
// .test-results/totals.json, so .ci/run can report the whole run.
const { mkdirSync, writeFileSync } = require('node:fs');

class TotalsReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    mkdirSync('.test-results', { recursive: true });
    writeFileSync('.test-results/totals.json', JSON.stringify({ passed, failed }) + '\n');
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}

module.exports = TotalsReporter;
