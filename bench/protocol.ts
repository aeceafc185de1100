/** What the runner and the contender processes share. */

export const CONTENDER_KINDS = [
  'baseline',
  'express-session',
  'memory',
  'standalone',
  'cluster',
  'locked',
] as const;

export type ContenderKind = (typeof CONTENDER_KINDS)[number];

export const CONTENDER_LABELS: Record<ContenderKind, string> = {
  baseline: 'baseline (no session)',
  'express-session': 'express-session + connect-redis',
  memory: 'this module, memory store',
  standalone: 'this module, Redis standalone',
  cluster: 'this module, Redis Cluster (3 masters)',
  locked: 'this module, locked (@SessionLock), standalone',
};

/** Contenders that keep sessions in Redis (commands and memory are measured for them). */
export const REDIS_KINDS: readonly ContenderKind[] = [
  'express-session',
  'standalone',
  'cluster',
  'locked',
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
