import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { SkipSession } from 'nestjs-distributed-session';
import { SessionHealthIndicator } from 'nestjs-distributed-session/health';

/**
 * 200 `{ status: 'ok', ... }` while the session store answers; 503 when it does not. A load
 * balancer's probe needs no session: `@SkipSession()` spares it the store round trip and the cookie.
 */
@Controller('health')
@SkipSession()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessionStore: SessionHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.sessionStore.isHealthy('session-store')]);
  }
}
