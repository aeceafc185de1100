import type { INestApplication } from '@nestjs/common';
import { useStandalone } from '../harness/index.js';
import { RedisMonitor } from '../support/redis-monitor.js';
import { describeSampleAppContract } from './sample-app-contract.js';
import { serverOf, startSampleApp } from './sample-app-harness.js';
import { SampleClient } from './sample-client.js';

const redis = useStandalone();
describeSampleAppContract('Redis', () => ({ REDIS_URL: redis().url }), 2);

describe('sample app: what its routes cost on Redis (MONITOR)', () => {
  let app: INestApplication;
  let monitor: RedisMonitor;

  beforeAll(async () => {
    app = await startSampleApp({ REDIS_URL: redis().url });
    monitor = await RedisMonitor.start(redis().url);
  });
  afterAll(async () => {
    await monitor.stop();
    await app.close();
  });

  it('the locked counter: 2 commands (lock with load, commit with release)', async () => {
    const visitor = new SampleClient(serverOf(app));
    await visitor.session();
    // Loads every script once (the first call of a script is an EVAL).
    expect((await visitor.post('/api/counter/increment')).body).toEqual({ value: 1 });
    const commands = await monitor.during(async () => {
      expect((await visitor.post('/api/counter/increment')).body).toEqual({ value: 2 });
    });
    expect(commands.map((command) => [command.name, command.args[1]])).toEqual([
      ['evalsha', '2'],
      ['evalsha', '3'],
    ]);
  });

  it('the health probe opens no session: its only command is the store ping', async () => {
    const visitor = new SampleClient(serverOf(app));
    await visitor.session();
    const commands = await monitor.during(async () => {
      expect((await visitor.get('/health')).status).toBe(200);
    });
    expect(commands.map((command) => command.name)).toEqual(['ping']);
  });
});
