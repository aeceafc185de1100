import type { Registry } from 'prom-client';

/** Options of `SessionMetricsModule.forRoot()`. */
export interface SessionMetricsOptions {
  /**
   * Where the metrics are registered; pass your own to keep them apart from other metrics.
   * @default prom-client's global `register`
   */
  readonly registry?: Registry;
  /**
   * Prefix of every metric name.
   * @default 'session_'
   * @example 'myapp_session_'
   */
  readonly prefix?: string;
  /**
   * Upper bounds, in seconds, of the store-operation latency histogram.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
   */
  readonly storeOperationBuckets?: readonly number[];
  /**
   * Upper bounds, in seconds, of the lock-wait histogram.
   * @default [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
   */
  readonly lockWaitBuckets?: readonly number[];
}

/** Injection token of the {@link SessionMetricsOptions}. */
export const SESSION_METRICS_OPTIONS = Symbol('SESSION_METRICS_OPTIONS');
