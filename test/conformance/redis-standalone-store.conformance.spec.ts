import { Redis } from 'ioredis';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { useStandalone } from '../harness/index.js';
import { closeClient, whenReady } from './redis-clients.js';
import { describeStoreConformance } from './store-conformance.js';

const redis = useStandalone();
let client: Redis | undefined;

describeStoreConformance(
  'RedisSessionStore on standalone Redis',
  async () => {
    client = new Redis(redis().url);
    await whenReady(client);
    return new RedisSessionStore({ client, prefix: 'conf-standalone:' });
  },
  () => closeClient(client),
  { redis: true },
);
