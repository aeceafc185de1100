import { Cluster } from 'ioredis';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { useCluster } from '../harness/index.js';
import { closeClient, whenReady } from './redis-clients.js';
import { describeStoreConformance } from './store-conformance.js';

const cluster = useCluster();
let client: Cluster | undefined;

describeStoreConformance(
  'RedisSessionStore on Redis Cluster',
  async () => {
    client = new Cluster(cluster().nodes.map(({ host, port }) => ({ host, port })));
    await whenReady(client);
    return new RedisSessionStore({ client, prefix: 'conf-cluster:' });
  },
  () => closeClient(client),
  { redis: true },
);
