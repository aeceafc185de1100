import { useCluster, useStandalone } from '../harness/index.js';
import { describeIndexIntegrity } from './index-integrity-scenarios.js';

describe('principal index integrity: standalone Redis', () => {
  const redis = useStandalone();
  describeIndexIntegrity({ kind: 'standalone', url: () => redis().url }, { bulk: true });
});

describe('principal index integrity: Redis Cluster', () => {
  const cluster = useCluster();
  describeIndexIntegrity({ kind: 'cluster', nodes: () => cluster().nodes });
});
