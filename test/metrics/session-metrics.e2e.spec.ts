import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import request from 'supertest';
import { SessionMetricsModule } from '../../src/metrics/index.js';
import { useStandalone } from '../harness/index.js';
import { CookieJar } from '../support/cookie-jar.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { SessionTestController } from '../support/test-app.js';

const redis = useStandalone();

type Labels = Readonly<Record<string, string>>;

/** `name{a="x",b="y"}` with the labels sorted, as the key of a sample. */
function sampleKey(name: string, labels: Labels = {}): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([label, value]) => `${label}="${value}"`);
  return pairs.length > 0 ? `${name}{${pairs.join(',')}}` : name;
}

/** Every sample of the registry's text exposition, by {@link sampleKey}. */
async function scrape(registry: Registry): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const [label, quoted] = pair.split('=') as [string, string];
      labels[label] = quoted.slice(1, -1);
    }
    samples.set(sampleKey(match[1]!, labels), Number(match[3]));
  }
  return samples;
}

/** How much each sample grew while `step` ran. */
async function growthDuring(
  registry: Registry,
  step: () => Promise<void>,
): Promise<(name: string, labels?: Labels) => number> {
  const before = await scrape(registry);
  await step();
  const after = await scrape(registry);
  return (name, labels) => {
    const key = sampleKey(name, labels);
    return (after.get(key) ?? 0) - (before.get(key) ?? 0);
  };
}

const ok = { outcome: 'success' };
const load = { operation: 'load', ...ok };
const commit = { operation: 'commit', ...ok };

describe('SessionMetrics (prom-client) on real Redis', () => {
  const registry = new Registry();
  let app: INestApplication;
  const jar = new CookieJar();
  const server = () => app.getHttpServer();

  beforeAll(async () => {
    ({ app } = await bootSessionApp({
      options: { redis: redis().url, commandTimeoutMs: 500, isGlobal: true },
      imports: [SessionMetricsModule.forRoot({ registry })],
      controllers: [SessionTestController],
      logger: false,
    }));
  });
  afterAll(() => app?.close());

  it('counts a new session: one commit, no load, a created event', async () => {
    const grew = await growthDuring(registry, async () => {
      jar.take(await request(server()).put('/t/set').send({ a: 1 }).expect(200));
    });
    expect(grew('session_store_operations_total', commit)).toBe(1);
    expect(grew('session_store_operation_duration_seconds_count', commit)).toBe(1);
    expect(grew('session_store_operations_total', load)).toBe(0);
    expect(grew('session_events_total', { event: 'created' })).toBe(1);
  });

  it('counts reads as loads with their latency, and no commits', async () => {
    const grew = await growthDuring(registry, async () => {
      for (let i = 0; i < 3; i++) {
        await request(server()).get('/t/read').set('Cookie', jar.header).expect(200);
      }
    });
    expect(grew('session_store_operations_total', load)).toBe(3);
    expect(grew('session_store_operation_duration_seconds_count', load)).toBe(3);
    expect(grew('session_store_operation_duration_seconds_sum', load)).toBeGreaterThan(0);
    expect(grew('session_store_operations_total', commit)).toBe(0);
  });

  it('counts a locked increment: one lock wait, one load under the lock, a commit', async () => {
    const grew = await growthDuring(registry, async () => {
      await request(server()).post('/t/locked-increment').set('Cookie', jar.header).expect(200);
    });
    expect(grew('session_lock_acquisitions_total', { outcome: 'acquired' })).toBe(1);
    expect(grew('session_lock_wait_seconds_count', { outcome: 'acquired' })).toBe(1);
    expect(grew('session_lock_acquisitions_total', { outcome: 'timeout' })).toBe(0);
    // The route's session is loaded under the lock, in the lock's own script: no load before it.
    expect(grew('session_store_operations_total', load)).toBe(1);
    expect(grew('session_store_operations_total', commit)).toBe(1);
    // The lock is not a store operation: it has its own metrics.
    expect(grew('session_store_operations_total', { operation: 'lock', ...ok })).toBe(0);
  });

  it('counts a lock timeout and its wait, beside the holder it waited for', async () => {
    const grew = await growthDuring(registry, async () => {
      const holder = request(server())
        .post('/t/hold-lock')
        .set('Cookie', jar.header)
        .send({ ms: 600 })
        .then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 150));
      await request(server()).post('/t/impatient-lock').set('Cookie', jar.header).expect(423);
      expect((await holder).status).toBe(200);
    });
    expect(grew('session_lock_acquisitions_total', { outcome: 'timeout' })).toBe(1);
    expect(grew('session_lock_wait_seconds_count', { outcome: 'timeout' })).toBe(1);
    // Three attempts 20 ms apart: the timed-out wait lasted at least the two delays.
    expect(grew('session_lock_wait_seconds_sum', { outcome: 'timeout' })).toBeGreaterThanOrEqual(
      0.035,
    );
    expect(grew('session_lock_wait_seconds_bucket', { outcome: 'timeout', le: '0.01' })).toBe(0);
    expect(grew('session_lock_acquisitions_total', { outcome: 'acquired' })).toBe(1);
  });

  it('counts a refused optimistic commit as a version conflict and a conflict event', async () => {
    const grew = await growthDuring(registry, async () => {
      const slow = request(server())
        .post('/t/optimistic-set?delay=200')
        .set('Cookie', jar.header)
        .send({ a: 'slow' })
        .then((response) => response);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await request(server()).put('/t/set').set('Cookie', jar.header).send({ b: 2 }).expect(200);
      expect((await slow).status).toBe(409);
    });
    expect(grew('session_conflicts_total', { kind: 'version' })).toBe(1);
    expect(grew('session_conflicts_total', { kind: 'fence' })).toBe(0);
    expect(grew('session_events_total', { event: 'conflict' })).toBe(1);
    // Both writes reached the store; the refused one is a successful round trip.
    expect(grew('session_store_operations_total', commit)).toBe(2);
  });

  it('counts a store failure as a failed operation, a store error and a store-error event', async () => {
    await redis().kill();
    try {
      const grew = await growthDuring(registry, async () => {
        await request(server()).get('/t/read').set('Cookie', jar.header).expect(503);
      });
      expect(
        grew('session_store_operations_total', { operation: 'load', outcome: 'failure' }),
      ).toBe(1);
      expect(grew('session_store_errors_total', { operation: 'load' })).toBe(1);
      expect(grew('session_events_total', { event: 'store-error' })).toBe(1);
    } finally {
      await redis().restart();
    }
  });

  it('removes its metrics from the registry when the app closes', async () => {
    expect(await registry.metrics()).toContain('session_events_total');
    await app.close();
    expect(await registry.metrics()).not.toContain('session_');
  });
});
