import { type DynamicModule, Module } from '@nestjs/common';
import { SessionMetrics } from './session-metrics.js';
import { SESSION_METRICS_OPTIONS, type SessionMetricsOptions } from './session-metrics-options.js';

/**
 * Prometheus metrics of the sessions (see {@link SessionMetrics}). Import it from
 * `nestjs-distributed-session/metrics`, so that apps without `prom-client` never load it. It needs
 * the `SessionModule` registered with `isGlobal: true`.
 *
 * @example
 * @Module({
 *   imports: [
 *     SessionModule.forRoot({ secrets: [process.env.SESSION_SECRET!], redis: process.env.REDIS_URL, isGlobal: true }),
 *     SessionMetricsModule.forRoot({ registry, prefix: 'session_' }),
 *   ],
 * })
 * export class AppModule {}
 */
@Module({})
export class SessionMetricsModule {
  /**
   * Registers the metrics on `options.registry` (default: prom-client's global `register`).
   * @default options {}
   */
  static forRoot(options: SessionMetricsOptions = {}): DynamicModule {
    return {
      module: SessionMetricsModule,
      providers: [{ provide: SESSION_METRICS_OPTIONS, useValue: options }, SessionMetrics],
      exports: [SessionMetrics],
    };
  }
}
