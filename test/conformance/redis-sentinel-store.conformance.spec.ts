import { Redis } from 'ioredis';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { useSentinel } from '../harness/index.js';
import { closeClient, whenReady } from './redis-clients.js';
import { describeStoreConformance } from './store-conformance.js';

const group = useSentinel();
let client: Redis | undefined;

describeStoreConformance(
  'RedisSessionStore on Redis Sentinel',
  async () => {
    const { sentinels, masterName } = group();
    client = new Redis({
      sentinels: sentinels.map(({ host, port }) => ({ host, port })),
      name: masterName,
    });
    await whenReady(client);
    return new RedisSessionStore({ client, prefix: 'conf-sentinel:' });
  },
  () => closeClient(client),
  { redis: true },
);
