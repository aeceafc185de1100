// The few parts of express-session the bench and the adapter tests use (the package ships no types and
// @types/express-session is not installed: it would also clash with this library's `req.session`).
declare module 'express-session' {
  import type { RequestHandler } from 'express';

  type Callback = (error?: unknown, session?: unknown) => void;

  export class Store {
    get(sid: string, callback: Callback): void;
    set(sid: string, session: never, callback?: Callback): void;
    destroy(sid: string, callback?: Callback): void;
  }

  /** The process-memory store the tests put behind `fromExpressSessionStore()`. */
  export class MemoryStore extends Store {}

  export interface SessionOptions {
    secret: string | string[];
    store?: Store;
    name?: string;
    resave?: boolean;
    saveUninitialized?: boolean;
    rolling?: boolean;
    cookie?: {
      secure?: boolean;
      httpOnly?: boolean;
      sameSite?: 'lax' | 'strict' | 'none';
      maxAge?: number;
      path?: string;
    };
  }

  export type SessionData = Record<string, unknown>;

  interface SessionFactory {
    (options: SessionOptions): RequestHandler;
    Store: typeof Store;
    MemoryStore: typeof MemoryStore;
  }
  const session: SessionFactory;
  export default session;
}
