import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { createManagementApp, type RecordedEvent } from './management-test-app.js';

// A standalone server has no replica: every `WAIT 1` comes back with 0 after its timeout.
const redis = useStandalone();

describe('replicaAcks without enough replicas', () => {
  let failing: INestApplication;
  let warning: INestApplication;
  let warnings: RecordedEvent[];

  beforeAll(async () => {
    const common = { redis: redis().url, replicaAcks: 1, replicaAckTimeoutMs: 200 };
    ({ app: failing } = await createManagementApp({ ...common, prefix: 'ra1:' }));
    ({ app: warning, events: warnings } = await createManagementApp({
      ...common,
      prefix: 'ra2:',
      onReplicaShortfall: 'warn',
    }));
  });
  afterAll(async () => {
    await failing.close();
    await warning.close();
  });

  it("fails the request with 503 under 'fail', after one WAIT (its timeout), no retry", async () => {
    const monitor = await RedisMonitor.start(redis().url);
    let status = 0;
    let error: unknown;
    try {
      // The app's first commit sends its script as EVAL: no EVALSHA refused with NOSCRIPT, whose
      // pipeline would wait out a WAIT of its own first.
      const first = await monitor.during(() =>
        request(failing.getHttpServer()).put('/m/set').send({ a: 1 }).expect(503),
      );
      expect(first.map((c) => c.name)).toEqual(['eval', 'wait']);
      const commands = await monitor.during(async () => {
        const response = await request(failing.getHttpServer()).put('/m/set').send({ a: 1 });
        status = response.status;
        error = (response.body as { error?: unknown }).error;
      });
      // The write and one WAIT of the configured timeout: nothing waits longer, nothing retries.
      expect(commands.map((c) => c.name)).toEqual(['evalsha', 'wait']);
      expect(commands[1]!.args).toEqual(['1', '200']);
    } finally {
      await monitor.stop();
    }
    expect(status).toBe(503);
    expect(error).toBe('SessionReplicationError');
  });

  it("accepts under 'warn' and emits store-error 'replicate'; WAIT rides in the commit's pipeline", async () => {
    const monitor = await RedisMonitor.start(redis().url);
    try {
      const commands = await monitor.during(() =>
        request(warning.getHttpServer()).put('/m/set').send({ a: 1 }).expect(200),
      );
      // EVAL the first time the pipeline meets the script, EVALSHA afterwards.
      expect(commands.map((c) => c.name.replace('evalsha', 'eval'))).toEqual(['eval', 'wait']);
      expect(commands[1]!.args).toEqual(['1', '200']);
    } finally {
      await monitor.stop();
    }
    const event = warnings.find((e) => e.name === 'store-error');
    expect(event?.event).toMatchObject({ operation: 'replicate' });
  });
});
