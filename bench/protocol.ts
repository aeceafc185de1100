/** What the runner and the contender processes share. */

export const CONTENDER_KINDS = [
  'baseline',
  'express-session',
  'floor',
  'lean',
  'memory',
  'standalone',
  'cluster',
  'locked',
  'fastify-baseline',
  'fastify-standalone',
  'sample-app',
  'sample-anchor',
] as const;

export type ContenderKind = (typeof CONTENDER_KINDS)[number];

export const CONTENDER_LABELS: Record<ContenderKind, string> = {
  baseline: 'baseline (no session)',
  'express-session': 'express-session + connect-redis',
  floor: 'floor: one bare GET/SET per request, no session logic',
  lean: "lean: this module's work on Redis without its Nest middleware, interceptor, ALS",
  memory: 'this module, memory store',
  standalone: 'this module, Redis standalone',
  cluster: 'this module, Redis Cluster (3 masters)',
  locked: 'this module, locked (@SessionLock), standalone',
  'fastify-baseline': 'Fastify: baseline (no session)',
  'fastify-standalone': 'Fastify: this module, Redis standalone',
  'sample-app': 'sample app (this module, Redis standalone, Express)',
  'sample-anchor': 'sample app contract on express-session + connect-redis',
};

/** The side-by-side pair: the sample app and its anchor, measured on the cart scenario only. */
export const SAMPLE_KINDS: readonly ContenderKind[] = ['sample-app', 'sample-anchor'];

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
  'floor',
  'lean',
  'standalone',
  'cluster',
  'locked',
  'fastify-standalone',
  'sample-app',
  'sample-anchor',
];

export type ContenderMessage =
  | { readonly type: 'ready'; readonly port: number; readonly pid: number }
  | { readonly type: 'error'; readonly message: string };

export const SCENARIOS = ['read', 'write', 'create', 'increment', 'skip', 'cart'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The scenarios a contender serves: the bench routes, or the sample app's cart. */
export function scenariosOf(kind: ContenderKind): readonly ScenarioName[] {
  return SAMPLE_KINDS.includes(kind) ? ['cart'] : ['read', 'write', 'create', 'increment', 'skip'];
}

/** The scenario `kind` runs when `scenario` is asked: the sample app and its anchor serve the cart only. */
export function ownScenario(kind: ContenderKind, scenario: ScenarioName): ScenarioName {
  return scenariosOf(kind).includes(scenario) ? scenario : 'cart';
}

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  read: 'read-only, existing session',
  write: 'change one key',
  create: 'create a session',
  increment: 'increment (locked for the locked contender)',
  skip: 'route that never uses the session (@SkipSession), with a session cookie',
  cart: 'side by side: sample app GET /api/cart, existing session',
};
