// `nestjs-distributed-session/metrics`: needs prom-client, which the core never loads.
export { SessionMetricsModule } from './session-metrics.module.js';
export { SessionMetrics } from './session-metrics.js';
export { SESSION_METRICS_OPTIONS, type SessionMetricsOptions } from './session-metrics-options.js';
