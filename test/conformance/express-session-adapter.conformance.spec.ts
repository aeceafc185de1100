import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type pg from 'pg';
import { fromExpressSessionStore } from '../../src/session/stores/express-session-adapter/index.js';
import { usePostgresDatabase } from '../harness/postgres.js';
import { describeStoreConformance } from './store-conformance.js';

/** What an express-session store gives behind the adapter: whole blob, last writer wins. */
const ADAPTER_CAPABILITIES = {
  perKeyMerge: false,
  versions: false,
  locks: false,
  principalIndex: false,
  expiry: true,
  rotation: false,
};

describeStoreConformance(
  "fromExpressSessionStore(express-session's MemoryStore)",
  () => fromExpressSessionStore(new session.MemoryStore()),
  undefined,
  { capabilities: ADAPTER_CAPABILITIES },
);

describe('on PostgreSQL', () => {
  const database = usePostgresDatabase();
  let pool: pg.Pool;
  let pgStore: { close(): Promise<void> | void } | undefined;

  describeStoreConformance(
    'fromExpressSessionStore(connect-pg-simple)',
    () => {
      pool = database().pool();
      const PgStore = connectPgSimple(session);
      const store = new PgStore({ pool, createTableIfMissing: true, pruneSessionInterval: false });
      pgStore = store;
      return fromExpressSessionStore(store);
    },
    async () => {
      await pgStore?.close();
      await pool.end();
    },
    { capabilities: ADAPTER_CAPABILITIES },
  );
});
