import { useMemcached } from '../harness/memcached.js';
import { describeSampleAppContract } from './sample-app-contract.js';

const servers = useMemcached(2);
describeSampleAppContract(
  'Memcached',
  () => ({
    MEMCACHED_SERVERS: servers()
      .map((server) => server.address)
      .join(','),
  }),
  2,
  'cookie',
  { principalIndex: false },
);
