import type { INestApplication } from '@nestjs/common';
import { Cluster } from 'ioredis';
import request from 'supertest';
import { whenReady } from '../conformance/redis-clients.js';
import { useCluster } from '../harness/index.js';
import { createManagementApp, type RecordedEvent } from './management-test-app.js';

const cluster = useCluster();

async function waitForExpired(events: RecordedEvent[], ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const seen = () =>
    new Set(
      events
        .filter((e) => e.name === 'expired')
        .map((e) => (e.event as { sessionId: string }).sessionId),
    );
  while (Date.now() < deadline && !ids.every((id) => seen().has(id))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return ids.filter((id) => seen().has(id));
}

describe('expiry notifications on every master of a Cluster', () => {
  let app: INestApplication;
  let events: RecordedEvent[];

  beforeAll(async () => {
    ({ app, events } = await createManagementApp({
      redis: { clusterNodes: cluster().nodes.map(({ host, port }) => ({ host, port })) },
      prefix: 'exp:',
      idleTimeoutMs: 1000,
      expiryNotifications: true,
    }));
  });
  afterAll(() => app.close());

  it('emits expired for sessions Redis expires, whichever master holds them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const response = await request(app.getHttpServer()).put('/m/set').send({ i }).expect(200);
      const cookie = String(response.headers['set-cookie']).split(';')[0]!;
      const me = await request(app.getHttpServer()).get('/m/me').set('cookie', cookie).expect(200);
      ids.push(me.body.id as string);
    }
    // The sessions are spread over the three masters.
    const admin = new Cluster(cluster().nodes.map(({ host, port }) => ({ host, port })));
    try {
      await whenReady(admin);
      const masters = new Set(
        ids.map((id) => admin.slots[clusterSlotOf(id.split('.')[0]!)]?.[0]).filter(Boolean),
      );
      expect(masters.size).toBeGreaterThan(1);
    } finally {
      admin.disconnect();
    }
    // Redis expires idle keys lazily and by sampling (10 times a second): allow a few seconds.
    expect(await waitForExpired(events, ids, 10_000)).toEqual(ids);
  });
});

/** CRC16 (XMODEM) of the hash tag, mod 16384: the Cluster slot of `{tag}` keys. */
function clusterSlotOf(tag: string): number {
  let crc = 0;
  for (const byte of Buffer.from(tag)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i += 1)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
