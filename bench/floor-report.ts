/**
 * What the floor contender (one bare GET/SET per request, `floor-app.ts`) says about the targets:
 * a ratio to the baseline that the floor itself misses is out of reach for any Redis-backed
 * session layer on this machine; one the floor meets is not, and the gap is this module's.
 */
import type { BenchResults, ContenderResult } from './runner.js';
import type { ScenarioName } from './protocol.js';

const ROWS: readonly { scenario: ScenarioName; label: string; targetVsBaseline?: number }[] = [
  { scenario: 'read', label: 'read-only', targetVsBaseline: 0.8 },
  { scenario: 'write', label: 'change one key' },
  { scenario: 'create', label: 'create a session' },
];

function rps(contender: ContenderResult | undefined, scenario: ScenarioName): number | undefined {
  return contender?.scenarios.find((s) => s.scenario === scenario)?.rps;
}

function times(a: number | undefined, b: number | undefined): string {
  return a === undefined || !b ? '–' : `${(a / b).toFixed(2)}×`;
}

/** Markdown lines; empty when the floor did not run. */
export function floorMarkdown(results: BenchResults): string {
  const find = (kind: string) => results.contenders.find((c) => c.kind === kind);
  const floor = find('floor');
  if (!floor) return '';
  const baseline = find('baseline');
  const ours = find('standalone');
  const express = find('express-session');
  const lines = [
    '#### The floor: one bare Redis command per round trip, no session logic',
    '',
    '| request | floor × baseline | this module (standalone) × floor | express-session × floor | a ratio target to the baseline |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const row of ROWS) {
    const f = rps(floor, row.scenario);
    const b = rps(baseline, row.scenario);
    const verdict =
      row.targetVsBaseline === undefined || f === undefined || !b
        ? '–'
        : f / b >= row.targetVsBaseline
          ? `≥ ${row.targetVsBaseline}× is within reach (the floor makes it)`
          : `≥ ${row.targetVsBaseline}× is out of reach here (the floor misses it)`;
    lines.push(
      `| ${row.label} | ${times(f, b)} | ${times(rps(ours, row.scenario), f)} | ${times(rps(express, row.scenario), f)} | ${verdict} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
