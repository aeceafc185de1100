export {
  ExpressSessionStoreAdapter,
  type ExpressSessionStoreAdapterOptions,
  fromExpressSessionStore,
} from './express-session-store-adapter.js';
export type { ExpressSessionStoreLike } from './express-session-store-like.js';
