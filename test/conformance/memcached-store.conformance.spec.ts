import { MemcachedSessionStore } from '../../src/session/stores/memcached/index.js';
import { useMemcached } from '../harness/memcached.js';
import { describeStoreConformance } from './store-conformance.js';

const servers = useMemcached(2);

describeStoreConformance(
  'MemcachedSessionStore (two servers)',
  () => new MemcachedSessionStore({ servers: servers().map((server) => server.address) }),
  undefined,
  { capabilities: { principalIndex: false } },
);
