import { Injectable, Logger } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { SessionStore } from '../session/stores/session-store.js';

/**
 * A Terminus health indicator for the session store: PINGs it (every master of a Cluster),
 * bounded by the module's `commandTimeoutMs`, and reports latency and topology. Down when the
 * store does not answer in time, up again as soon as it does.
 *
 * Import it from `nestjs-distributed-session/health`, so that apps without `@nestjs/terminus`
 * never load it. It needs `TerminusModule` and a `SessionModule` visible to the module that
 * provides it (`isGlobal: true`, or the same module).
 *
 * @example
 * @Controller('health')
 * export class HealthController {
 *   constructor(
 *     private readonly health: HealthCheckService,
 *     private readonly sessions: SessionHealthIndicator,
 *   ) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.sessions.isHealthy('session-store')]);
 *   }
 * }
 */
@Injectable()
export class SessionHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly store: SessionStore,
  ) {}

  private readonly logger = new Logger('SessionHealthIndicator');

  /**
   * `{ [key]: { status: 'up', topology, latencyMs, masters } }`, or `status: 'down'` with the
   * error's name (Terminus then answers 503). The error's message goes to the log only: health
   * endpoints are often public, and a store's message can name hosts, ports and keys.
   * @default key 'session-store'
   */
  async isHealthy<const Key extends string = 'session-store'>(
    key: Key = 'session-store' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.health.check(key);
    try {
      const probe = await this.store.probe();
      return indicator.up({ ...probe });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      this.logger.warn(
        `session store down: ${error instanceof Error ? error.message : String(error)}`,
      );
      return indicator.down({ message: 'The session store did not answer', error: name });
    }
  }
}
