/**
 * What the adapter needs of an express-session store (connect-pg-simple, connect-mongo,
 * connect-redis, express-session's MemoryStore, ...): the callback API every one of them has.
 */
export interface ExpressSessionStoreLike {
  get(sid: string, callback: (error: unknown, session?: unknown) => void): void;
  set(sid: string, session: never, callback?: (error?: unknown) => void): void;
  destroy(sid: string, callback?: (error?: unknown) => void): void;
}

/** The blob the adapter writes: a cookie block the store reads its TTL from, and the session. */
export interface AdaptedBlob {
  readonly cookie: { readonly expires: string; readonly originalMaxAge: number };
  readonly nds: {
    readonly m: import('../session-store.js').SessionMetadata;
    readonly d: Record<string, string>;
  };
}
