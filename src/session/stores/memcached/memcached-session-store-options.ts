/** Options of `MemcachedSessionStore`. */
export interface MemcachedSessionStoreOptions {
  /** `'host:port,host:port'` or a list; sessions are spread by rendezvous hashing of their tag. */
  readonly servers: string | readonly string[];
  /** Prefix of every key this store writes. @default 'sess:' */
  readonly prefix?: string;
  /** Longest wait for one store operation before the request gets 503. @default 2000 */
  readonly commandTimeoutMs?: number;
  /** CAS attempts of one commit under contention before it fails with 503. @default 100 */
  readonly maxCasAttempts?: number;
}
