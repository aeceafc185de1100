// `nestjs-distributed-session/memcached`: needs `memcache-client`, which the core never loads.
export {
  MemcachedSessionStore,
  type MemcachedSessionStoreOptions,
} from '../session/stores/memcached/index.js';
