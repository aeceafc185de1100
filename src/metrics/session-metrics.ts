import {
  Inject,
  Injectable,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { type Registry, register } from 'prom-client';
import { type SessionEventMap, SessionEvents } from '../session/session-events.js';
import { SessionStore } from '../session/stores/session-store.js';
import { SessionMetricSet } from './session-metric-set.js';
import { SESSION_METRICS_OPTIONS, type SessionMetricsOptions } from './session-metrics-options.js';

/**
 * Prometheus metrics of the session module (prom-client), fed by the store's observer and by
 * `SessionEvents`:
 *
 * - `session_store_operations_total{operation,outcome}` and
 *   `session_store_operation_duration_seconds{operation,outcome}`: loads, commits, destroys,
 *   index updates, describes and pings of the store, `outcome` 'success' or 'failure';
 * - `session_store_errors_total{operation}`: `store-error` events;
 * - `session_lock_acquisitions_total{outcome}` and `session_lock_wait_seconds{outcome}`:
 *   lock waits, `outcome` 'acquired' or 'timeout';
 * - `session_conflicts_total{kind}`: refused commits, `kind` 'version' or 'fence';
 * - `session_events_total{event}`: every event, by name.
 *
 * Store operations and lock waits are reported by the Redis stores (standalone, Sentinel,
 * Cluster; near-cached or encrypted); the memory store reports none. Registered when the module
 * starts, removed from the registry when it stops.
 */
@Injectable()
export class SessionMetrics implements OnModuleInit, OnModuleDestroy {
  private metrics?: SessionMetricSet;
  private readonly unsubscribes: (() => void)[] = [];

  constructor(
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    @Optional()
    @Inject(SESSION_METRICS_OPTIONS)
    private readonly options: SessionMetricsOptions = {},
  ) {}

  /** The registry the metrics are registered on (serve `await registry.metrics()`). */
  get registry(): Registry {
    return this.options.registry ?? register;
  }

  onModuleInit(): void {
    const metrics = new SessionMetricSet(this.registry, this.options.prefix ?? 'session_', {
      storeOperation: this.options.storeOperationBuckets,
      lockWait: this.options.lockWaitBuckets,
    });
    this.metrics = metrics;
    this.unsubscribes.push(
      this.store.observe({
        operation: (operation, durationMs, failed) => {
          const seconds = durationMs / 1000;
          if (operation === 'lock') {
            const outcome = failed ? 'timeout' : 'acquired';
            metrics.lockAcquisitions.inc({ outcome });
            metrics.lockWaitSeconds.observe({ outcome }, seconds);
            return;
          }
          const outcome = failed ? 'failure' : 'success';
          metrics.storeOperations.inc({ operation, outcome });
          metrics.storeOperationSeconds.observe({ operation, outcome }, seconds);
        },
      }),
      this.events.onAny((name, event) => {
        metrics.events.inc({ event: name });
        if (name === 'conflict') {
          metrics.conflicts.inc({ kind: (event as SessionEventMap['conflict']).kind });
        } else if (name === 'store-error') {
          metrics.storeErrors.inc({
            operation: (event as SessionEventMap['store-error']).operation,
          });
        }
      }),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribes.splice(0).forEach((unsubscribe) => unsubscribe());
    this.metrics?.unregister();
    this.metrics = undefined;
  }
}
