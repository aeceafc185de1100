/** What `profile-compare` and `alloc-compare` share: contenders run alone, then one table. */
import { startStandalone } from '../test/harness/standalone.js';
import { CONTENDER_KINDS, type ContenderKind, SCENARIOS, type ScenarioName } from './protocol.js';

/** One contender's column: per-name totals over `requests` requests. */
export interface SideBySideColumn {
  readonly kind: ContenderKind;
  readonly requests: number;
}

/**
 * Runs `each` for every contender in turn, alone, against one standalone Redis started for the
 * run; refuses unknown contender or scenario names first.
 */
export async function eachContenderAlone<T>(
  kinds: readonly ContenderKind[],
  scenario: ScenarioName,
  each: (kind: ContenderKind, redisUrl: string) => Promise<T>,
): Promise<T[]> {
  if (kinds.some((kind) => !CONTENDER_KINDS.includes(kind)) || !SCENARIOS.includes(scenario)) {
    throw new Error(`unknown contender or scenario; contenders: ${CONTENDER_KINDS.join(', ')}`);
  }
  const redis = await startStandalone();
  const results: T[] = [];
  try {
    for (const kind of kinds) results.push(await each(kind, redis.url));
  } finally {
    await redis.stop();
  }
  return results;
}

/** Prints the per-request value of every name, a column per contender, largest rows first. */
export function printSideBySide<C extends SideBySideColumn>(
  title: string,
  columns: readonly C[],
  pick: (column: C) => Map<string, number>,
  options: { readonly digits: number; readonly top?: number },
): void {
  const names = new Set(columns.flatMap((column) => [...pick(column).keys()]));
  const rows = [...names].map((name) => ({
    name,
    values: columns.map((column) => (pick(column).get(name) ?? 0) / column.requests),
  }));
  rows.sort((a, b) => Math.max(...b.values) - Math.max(...a.values));
  console.log(`\n${title}`);
  console.log(`${columns.map((c) => c.kind.padStart(12)).join(' ')}  name`);
  for (const row of rows.slice(0, options.top ?? rows.length)) {
    const cells = row.values.map((v) => v.toFixed(options.digits).padStart(12));
    console.log(`${cells.join(' ')}  ${row.name}`);
  }
}
