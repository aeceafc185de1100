import { useStandalone } from '../harness/index.js';
import { describeConsistency } from './consistency-scenarios.js';
import { describeLockContention } from './lock-contention-scenarios.js';

const redis = useStandalone();
describeConsistency('standalone Redis', () => ({ redis: redis().url, prefix: 'cons:' }));
describeLockContention('standalone Redis', () => ({ redis: redis().url, prefix: 'contend:' }));
