import { Cluster } from 'ioredis';
import { adminCall, useCluster } from '../harness/index.js';
import { describeNearCacheRaces } from './near-cache-races.js';

// Sharded pub/sub: the subscribers sit on the master of the channel's slot; ioredis' own
// cluster subscriber (which may move without a 'close') is not used.
const cluster = useCluster();
describeNearCacheRaces(
  'Redis Cluster',
  () => new Cluster([...cluster().nodes]),
  async () => {
    const masters = await cluster().masters();
    await Promise.all(masters.map((node) => adminCall(node, 'CLIENT', 'KILL', 'TYPE', 'pubsub')));
  },
);
