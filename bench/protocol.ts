/** What the runner and the contender processes share. */

export const CONTENDER_KINDS = [
  'baseline',
  'express-session',
  'memory',
  'standalone',
  'cluster',
  'locked',
  'fastify-baseline',
  'fastify-standalone',
] as const;

export type ContenderKind = (typeof CONTENDER_KINDS)[number];

export const CONTENDER_LABELS: Record<ContenderKind, string> = {
  baseline: 'baseline (no session)',
  'express-session': 'express-session + connect-redis',
  memory: 'this module, memory store',
  standalone: 'this module, Redis standalone',
  cluster: 'this module, Redis Cluster (3 masters)',
  locked: 'this module, locked (@SessionLock), standalone',
  'fastify-baseline': 'Fastify: baseline (no session)',
  'fastify-standalone': 'Fastify: this module, Redis standalone',
};

/** Contenders without sessions: the baseline of their platform. */
export const BASELINE_KINDS: readonly ContenderKind[] = ['baseline', 'fastify-baseline'];

/** Contenders on Nest's Fastify adapter (the others run on Express). */
export const FASTIFY_KINDS: readonly ContenderKind[] = ['fastify-baseline', 'fastify-standalone'];

/** The baseline a contender's "× baseline" ratio is taken against: the one of its platform. */
export function baselineOf(kind: ContenderKind): ContenderKind {
  return FASTIFY_KINDS.includes(kind) ? 'fastify-baseline' : 'baseline';
}

/** Contenders that keep sessions in Redis (commands and memory are measured for them). */
export const REDIS_KINDS: readonly ContenderKind[] = [
  'express-session',
  'standalone',
  'cluster',
  'locked',
  'fastify-standalone',
];

export type ContenderMessage =
  | { readonly type: 'ready'; readonly port: number; readonly pid: number }
  | { readonly type: 'error'; readonly message: string };

export const SCENARIOS = ['read', 'write', 'create', 'increment'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  read: 'read-only, existing session',
  write: 'change one key',
  create: 'create a session',
  increment: 'increment (locked for the locked contender)',
};
