export {
  MemcachedSessionStore,
  type MemcachedSessionStoreOptions,
} from './memcached-session-store.js';
