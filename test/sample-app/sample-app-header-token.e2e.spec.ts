import { useStandalone } from '../harness/index.js';
import { describeSampleAppContract } from './sample-app-contract.js';

// The same API for a mobile or API client: the token in `Authorization: Bearer`, no cookies.
const redis = useStandalone();
describeSampleAppContract(
  'Redis, header token, no cookies',
  () => ({ REDIS_URL: redis().url, SESSION_TRANSPORT: 'header' }),
  2,
  'header',
);
