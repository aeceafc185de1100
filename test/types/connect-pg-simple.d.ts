// The part of connect-pg-simple the adapter tests use (its @types package pulls in
// @types/express-session, which clashes with this library's `req.session`).
declare module 'connect-pg-simple' {
  import type { Store } from 'express-session';
  import type { Pool } from 'pg';

  interface PgStoreOptions {
    pool: Pool;
    createTableIfMissing?: boolean;
    pruneSessionInterval?: false | number;
    tableName?: string;
  }

  class PgStore extends Store {
    constructor(options: PgStoreOptions);
    close(): Promise<void>;
  }

  export default function connectPgSimple(session: unknown): typeof PgStore;
}
