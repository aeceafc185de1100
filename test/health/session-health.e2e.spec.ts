import { Controller, Get, type INestApplication } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import request from 'supertest';
import { SessionHealthIndicator } from '../../src/health/index.js';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp } from '../support/boot-session-app.js';

const COMMAND_TIMEOUT_MS = 500;
const redis = useStandalone();

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly sessions: SessionHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.sessions.isHealthy('session-store')]);
  }
}

describe('SessionHealthIndicator (Terminus) on real Redis', () => {
  let app: INestApplication;

  beforeAll(async () => {
    ({ app } = await bootSessionApp({
      options: { redis: redis().url, commandTimeoutMs: COMMAND_TIMEOUT_MS, isGlobal: true },
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [SessionHealthIndicator],
      logger: false,
    }));
  });
  afterAll(() => app.close());

  const check = () => request(app.getHttpServer()).get('/health').timeout(10_000);

  it('reports up with topology and latency', async () => {
    const response = await check().expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.info['session-store']).toMatchObject({
      status: 'up',
      topology: 'standalone',
      masters: 1,
    });
    expect(response.body.info['session-store'].latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports down when Redis hangs longer than the command timeout (not up once it answers)', async () => {
    const admin = new Redis(redis().url);
    // Every command of every client waits 3 s: a probe without its own bound would come back up.
    await admin.call('CLIENT', 'PAUSE', String(COMMAND_TIMEOUT_MS * 6), 'ALL');
    try {
      const down = await check();
      expect(down.status).toBe(503);
      expect(down.body.error['session-store'].status).toBe('down');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    }
  });

  it('reports down when Redis stops, and up after it returns', async () => {
    await redis().kill();
    const started = Date.now();
    const down = await check();
    const elapsed = Date.now() - started;
    console.log(
      `health: down answered in ${elapsed} ms (command timeout ${COMMAND_TIMEOUT_MS} ms)`,
    );
    expect(down.status).toBe(503);
    expect(down.body.error['session-store'].status).toBe('down');
    // The store's own words (addresses, ports, key names) stay in the log.
    expect(down.body.error['session-store'].message).toBe('The session store did not answer');

    await redis().restart();
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await check()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  });
});
