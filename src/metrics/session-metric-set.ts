import { Counter, Histogram, type Registry } from 'prom-client';

const STORE_OPERATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
const LOCK_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics of the session module, registered on one registry under one prefix. */
export class SessionMetricSet {
  /** Store operations ('load', 'commit', 'destroy', 'index', 'describe', 'ping') by outcome. */
  readonly storeOperations: Counter<'operation' | 'outcome'>;
  readonly storeOperationSeconds: Histogram<'operation' | 'outcome'>;
  /** `store-error` events, by the failed operation. */
  readonly storeErrors: Counter<'operation'>;
  /** Lock acquisitions: 'acquired', or 'timeout' when the wait ended without the lock. */
  readonly lockAcquisitions: Counter<'outcome'>;
  readonly lockWaitSeconds: Histogram<'outcome'>;
  /** Commits refused because the session moved on: 'version' (optimistic) or 'fence' (locked). */
  readonly conflicts: Counter<'kind'>;
  /** Every `SessionEvents` event, by name. */
  readonly events: Counter<'event'>;

  private readonly names: string[];

  constructor(
    private readonly registry: Registry,
    prefix: string,
    buckets: { storeOperation?: readonly number[]; lockWait?: readonly number[] } = {},
  ) {
    const registers = [registry];
    this.storeOperations = new Counter({
      name: `${prefix}store_operations_total`,
      help: 'Session store operations, by operation and outcome (success, failure).',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.storeOperationSeconds = new Histogram({
      name: `${prefix}store_operation_duration_seconds`,
      help: 'Latency of session store operations, by operation and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [...(buckets.storeOperation ?? STORE_OPERATION_BUCKETS)],
      registers,
    });
    this.storeErrors = new Counter({
      name: `${prefix}store_errors_total`,
      help: 'Session store errors (failures, timeouts, replica shortfalls), by operation.',
      labelNames: ['operation'],
      registers,
    });
    this.lockAcquisitions = new Counter({
      name: `${prefix}lock_acquisitions_total`,
      help: 'Session lock acquisitions, by outcome (acquired, timeout).',
      labelNames: ['outcome'],
      registers,
    });
    this.lockWaitSeconds = new Histogram({
      name: `${prefix}lock_wait_seconds`,
      help: 'Time spent waiting for a session lock, by outcome (acquired, timeout).',
      labelNames: ['outcome'],
      buckets: [...(buckets.lockWait ?? LOCK_WAIT_BUCKETS)],
      registers,
    });
    this.conflicts = new Counter({
      name: `${prefix}conflicts_total`,
      help: 'Session commits refused because the session changed meanwhile, by kind (version, fence).',
      labelNames: ['kind'],
      registers,
    });
    this.events = new Counter({
      name: `${prefix}events_total`,
      help: 'Session events, by name.',
      labelNames: ['event'],
      registers,
    });
    this.names = [
      'store_operations_total',
      'store_operation_duration_seconds',
      'store_errors_total',
      'lock_acquisitions_total',
      'lock_wait_seconds',
      'conflicts_total',
      'events_total',
    ].map((name) => `${prefix}${name}`);
  }

  /** Removes every metric of the set from its registry. */
  unregister(): void {
    for (const name of this.names) this.registry.removeSingleMetric(name);
  }
}
