import { useCluster } from '../harness/index.js';
import { describeConsistency } from './consistency-scenarios.js';
import { describeLockContention } from './lock-contention-scenarios.js';

const cluster = useCluster();
describeConsistency('Redis Cluster', () => ({
  redis: { clusterNodes: cluster().nodes },
  prefix: 'cons:',
}));
describeLockContention('Redis Cluster', () => ({
  redis: { clusterNodes: cluster().nodes },
  prefix: 'contend:',
}));
