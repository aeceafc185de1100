import { Redis } from 'ioredis';
import { adminCall, useStandalone } from '../harness/index.js';
import { describeNearCacheRaces } from './near-cache-races.js';

const redis = useStandalone();
describeNearCacheRaces(
  'standalone',
  () => new Redis(redis().url),
  () => adminCall(redis(), 'CLIENT', 'KILL', 'TYPE', 'pubsub'),
);
