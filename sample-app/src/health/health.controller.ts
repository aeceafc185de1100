import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { SessionHealthIndicator } from 'nestjs-distributed-session/health';

/** 200 `{ status: 'ok', ... }` while the session store answers; 503 when it does not. */
@Controller('health')
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
