/** The table, the ratios, the target check and the files of a bench run. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults, ContenderResult, ScenarioResult } from './runner.js';
import { baselineOf, SCENARIO_LABELS, SCENARIOS, type ScenarioName } from './protocol.js';
import { barChart } from './svg.js';
import { floorMarkdown } from './floor-report.js';

type RowScenario = ScenarioName | 'read-half-rate';

function scenarioOf(
  contender: ContenderResult | undefined,
  name: RowScenario,
): ScenarioResult | undefined {
  return contender?.scenarios.find((s) => s.scenario === name);
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function ratio(value: number | undefined, reference: number | undefined): string {
  if (value === undefined || !reference) return '–';
  return `${(value / reference).toFixed(2)}×`;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  readonly miss?: string;
}

/** The issue's targets (issue 14), each a ratio or a count measured in this one run. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const find = (kind: string) => results.contenders.find((c) => c.kind === kind);
  const ours = find('standalone');
  const locked = find('locked');
  const baseline = find('baseline');
  const express = find('express-session');
  const checks: TargetCheck[] = [];
  const commands = (
    label: string,
    contender: ContenderResult | undefined,
    scenario: ScenarioName,
    max: number,
  ) => {
    const value = scenarioOf(contender, scenario)?.clientCommandsPerRequest;
    checks.push({
      target: `${label}: at most ${max} Redis command(s) per request`,
      measured: value === undefined ? 'not measured' : `${value.toFixed(2)} per request`,
      met: value === undefined ? undefined : value <= max + 1e-9,
      ...(value !== undefined && value > max + 1e-9
        ? { miss: `${(value - max).toFixed(2)} command(s) over` }
        : {}),
    });
  };
  commands('read-only request', ours, 'read', 1);
  commands('request that changes one key (load + commit)', ours, 'write', 2);
  commands('locked increment, lock on the session master', locked, 'increment', 2);
  const ratioAtLeast = (
    label: string,
    [value, valueName]: [ContenderResult | undefined, ScenarioName],
    [reference, referenceName]: [ContenderResult | undefined, ScenarioName],
    min: number,
  ) => {
    const a = scenarioOf(value, valueName)?.rps;
    const b = scenarioOf(reference, referenceName)?.rps;
    const share = a !== undefined && b ? a / b : undefined;
    checks.push({
      target: `${label}: at least ${min}×`,
      measured:
        share === undefined
          ? 'not measured'
          : `${share.toFixed(2)}× (${Math.round(a ?? 0)} vs ${Math.round(b ?? 0)} req/s)`,
      met: share === undefined ? undefined : share >= min,
      ...(share !== undefined && share < min
        ? { miss: `short by ${(((min - share) / min) * 100).toFixed(0)}%` }
        : {}),
    });
  };
  const memoryStore = find('memory');
  const cluster = find('cluster');
  ratioAtLeast(
    'read-only, memory store / baseline',
    [memoryStore, 'read'],
    [baseline, 'read'],
    0.9,
  );
  ratioAtLeast('read-only, standalone / baseline', [ours, 'read'], [baseline, 'read'], 0.8);
  ratioAtLeast('read-only, Cluster / baseline', [cluster, 'read'], [baseline, 'read'], 0.8);
  ratioAtLeast('read-only, standalone / express-session', [ours, 'read'], [express, 'read'], 1.6);
  ratioAtLeast('read-only, Cluster / express-session', [cluster, 'read'], [express, 'read'], 1.6);
  ratioAtLeast(
    'change one key, standalone / express-session',
    [ours, 'write'],
    [express, 'write'],
    1.4,
  );
  ratioAtLeast('change one key, Cluster / standalone', [cluster, 'write'], [ours, 'write'], 0.9);
  ratioAtLeast(
    'create a session, standalone / express-session',
    [ours, 'create'],
    [express, 'create'],
    1.2,
  );
  ratioAtLeast(
    'locked increment / unlocked increment (standalone)',
    [locked, 'increment'],
    [ours, 'increment'],
    0.85,
  );
  ratioAtLeast(
    'route without session (@SkipSession) / baseline',
    [ours, 'skip'],
    [baseline, 'skip'],
    0.9,
  );
  ratioAtLeast(
    'sample app / its anchor (GET /api/cart)',
    [find('sample-app'), 'cart'],
    [find('sample-anchor'), 'cart'],
    1.3,
  );
  const memory = ours?.memory;
  if (memory) {
    const overhead = memory.memoryUsagePerKey - memory.payloadBytes;
    checks.push({
      target: `Redis memory per session at most payload (${memory.payloadBytes} B) + 150 B`,
      measured: `${Math.round(memory.memoryUsagePerKey)} B (payload + ${Math.round(overhead)} B)`,
      met: overhead <= 150,
      ...(overhead > 150 ? { miss: `${Math.round(overhead - 150)} B over` } : {}),
    });
  } else {
    checks.push({
      target: 'Redis memory per session at most payload + 150 B',
      measured: 'not measured',
      met: undefined,
    });
  }
  const half = scenarioOf(ours, 'read-half-rate');
  const baseHalf = scenarioOf(baseline, 'read-half-rate');
  if (half && baseHalf) {
    const extra = half.p99 - baseHalf.p99;
    checks.push({
      target: `read-only p99 within 1 ms of the baseline at half its maximum rate (${half.targetRate} req/s)`,
      measured: `p99 ${half.p99.toFixed(2)} ms vs ${baseHalf.p99.toFixed(2)} ms (+${extra.toFixed(2)} ms)`,
      met: extra <= 1,
      ...(extra > 1 ? { miss: `${(extra - 1).toFixed(2)} ms over` } : {}),
    });
  } else {
    checks.push({
      target: 'read-only p99 within 1 ms of the baseline at half its rate',
      measured: 'not measured',
      met: undefined,
    });
  }
  return checks;
}

export function markdownTable(results: BenchResults): string {
  const find = (kind: string) => results.contenders.find((c) => c.kind === kind);
  const lines = [
    '| Scenario | Contender | req/s | p50 ms | p99 ms | × baseline (same platform) | × express-session | Redis cmds/req (sent) | calls/req (commandstats) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rowScenarios: RowScenario[] = [...SCENARIOS, 'read-half-rate'];
  for (const name of rowScenarios) {
    // The side-by-side scenario compares the sample app with its anchor.
    const express = scenarioOf(
      find(name === 'cart' ? 'sample-anchor' : 'express-session'),
      name,
    )?.rps;
    for (const contender of results.contenders) {
      const s = scenarioOf(contender, name);
      if (!s) continue;
      const base = scenarioOf(find(baselineOf(contender.kind)), name)?.rps;
      const label =
        name === 'read-half-rate'
          ? `read-only at ${s.targetRate} req/s (half the baseline max)`
          : SCENARIO_LABELS[name];
      lines.push(
        `| ${label} | ${contender.label} | ${Math.round(s.rps)} | ${fixed(s.p50, 2)} | ${fixed(s.p99, 2)} | ${name === 'read-half-rate' ? '–' : ratio(s.rps, base)} | ${name === 'read-half-rate' ? '–' : ratio(s.rps, express)} | ${fixed(s.clientCommandsPerRequest, 2)} | ${fixed(s.commandstatsCallsPerRequest, 2)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function memoryTable(results: BenchResults): string {
  const lines = [
    '| Contender | sessions | bytes/session (MEMORY USAGE) | over the 1 KB payload | used_memory growth/session |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const contender of results.contenders) {
    const m = contender.memory;
    if (!m) continue;
    lines.push(
      `| ${contender.label} | ${m.keys} | ${Math.round(m.memoryUsagePerKey)} | ${Math.round(m.memoryUsagePerKey - m.payloadBytes)} | ${Math.round(m.usedMemoryPerSession)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function targetsMarkdown(checks: readonly TargetCheck[]): string {
  return `${checks
    .map(
      (c) =>
        `- ${c.met === undefined ? '⚪ not measured' : c.met ? '✅ met' : '❌ missed'}: ${c.target}: ${c.measured}${c.miss ? ` (${c.miss})` : ''}`,
    )
    .join('\n')}\n`;
}

function profileMarkdown(results: BenchResults): string {
  const parts: string[] = [];
  for (const [scenario, summary] of Object.entries(results.profiles)) {
    if (!summary) continue;
    parts.push(
      `#### ${scenario === 'read' ? 'Read-only' : 'Change one key'}: ${summary.busyMs} ms busy of ${summary.totalMs} ms sampled`,
      '',
      '| Area | self % |',
      '| --- | ---: |',
      ...summary.byArea.map((a) => `| ${a.name} | ${a.percent} |`),
      '',
      '| Function (self time) | self % |',
      '| --- | ---: |',
      ...summary.topFunctions.map((f) => `| \`${f.name}\` | ${f.percent} |`),
      '',
    );
  }
  return parts.join('\n');
}

export function machineLine(results: BenchResults): string {
  const m = results.machine;
  return `${m.cpuModel}, nproc ${m.nproc}, ${m.memoryGb} GB RAM, Node ${m.node}, Redis ${m.redis}, ${m.pinned ? 'Redis + load generator pinned to core 0, app to core 1' : 'not pinned'}; load average at start ${m.loadAverageAtStart.map((v) => v.toFixed(2)).join(' / ')}`;
}

export function report(results: BenchResults, dir: string): void {
  const checks = checkTargets(results);
  const table = markdownTable(results);
  const memory = memoryTable(results);
  const targets = targetsMarkdown(checks);
  const o = results.options;
  const settings = `${o.runs} run(s) × ${o.duration} s after ${o.warmup} s warm-up, ${o.connections} connections, median reported`;
  const markdown = [
    `### Results (${results.mode}, ${results.date}, library ${results.libraryCommit})`,
    '',
    `Machine: ${machineLine(results)}. ${settings}.`,
    '',
    table,
    memory,
    '#### Targets',
    '',
    targets,
    floorMarkdown(results),
    profileMarkdown(results),
  ].join('\n');
  const name = results.mode;
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ ...results, targets: checks }, null, 2)}\n`,
  );
  writeFileSync(join(dir, `${name}.md`), markdown);
  const groups = SCENARIOS.map((s) =>
    SCENARIO_LABELS[s].replace(' (locked for the locked contender)', ' (locked*)'),
  );
  writeFileSync(
    join(dir, `${name}.svg`),
    barChart({
      title: 'nestjs-distributed-session: requests per second (median)',
      subtitle: `${results.machine.cpuModel}, ${results.machine.nproc} cores, Node ${results.machine.node}, Redis ${results.machine.redis}; ${settings}`,
      yLabel: 'requests / second',
      groups,
      series: results.contenders.map((c) => ({
        label: c.label,
        values: SCENARIOS.map((s) => scenarioOf(c, s)?.rps),
      })),
    }),
  );
  process.stdout.write(`\n${markdown}\n`);
  const met = checks.filter((c) => c.met === true).length;
  const missed = checks.filter((c) => c.met === false);
  process.stdout.write(
    `SUMMARY: ${met}/${checks.length} targets met${missed.length ? `; missed: ${missed.map((c) => `${c.target} — ${c.measured}${c.miss ? `, ${c.miss}` : ''}`).join('; ')}` : ''}. Numbers are noisy: 2 cores shared with other work.\n`,
  );
  process.stdout.write(`Wrote ${join(dir, `${name}.json`)}, .md and .svg\n`);
}
