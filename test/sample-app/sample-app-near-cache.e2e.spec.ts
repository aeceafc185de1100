import { useStandalone } from '../harness/index.js';
import { describeSampleAppContract } from './sample-app-contract.js';

// The whole contract, fixation, hijack and revocation across instances included, with each
// instance serving hot sessions from its near cache.
const redis = useStandalone();
describeSampleAppContract(
  'Redis with near cache',
  () => ({ REDIS_URL: redis().url, SESSION_NEAR_CACHE: 'true' }),
  2,
);
