import type pg from 'pg';
import { PostgresSessionStore } from '../../src/session/stores/postgres/index.js';
import { usePostgresDatabase } from '../harness/postgres.js';
import { describeStoreConformance } from './store-conformance.js';

const database = usePostgresDatabase();
let pool: pg.Pool;

describeStoreConformance(
  'PostgresSessionStore',
  async () => {
    pool = database().pool();
    const store = new PostgresSessionStore({ pool, migrate: true });
    await expect(store.ready(5000)).resolves.toBe(true);
    return store;
  },
  () => pool.end(),
  { capabilities: { principalIndex: true } },
);
