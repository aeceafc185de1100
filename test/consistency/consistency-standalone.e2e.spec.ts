import { useStandalone } from '../harness/index.js';
import { describeConsistency } from './consistency-scenarios.js';

const redis = useStandalone();
describeConsistency('standalone Redis', () => ({ redis: redis().url, prefix: 'cons:' }));
