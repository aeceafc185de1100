import { useStandalone } from '../harness/index.js';
import { describeSampleAppContract } from './sample-app-contract.js';

const redis = useStandalone();
describeSampleAppContract('Redis', () => ({ REDIS_URL: redis().url }), 2);
