import { useCluster, useStandalone } from '../harness/index.js';
import { describeRevocationRaces } from './revocation-race-scenarios.js';

describe('revocation and logout racing token moves: memory store', () => {
  describeRevocationRaces({ kind: 'memory' });
});

describe('revocation and logout racing token moves: standalone Redis', () => {
  const redis = useStandalone();
  describeRevocationRaces({ kind: 'standalone', url: () => redis().url });
});

describe('revocation and logout racing token moves: Redis Cluster', () => {
  const cluster = useCluster();
  describeRevocationRaces({ kind: 'cluster', nodes: () => cluster().nodes });
});
