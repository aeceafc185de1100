import { usePostgresDatabase } from '../harness/postgres.js';
import { describeSampleAppContract } from './sample-app-contract.js';

const database = usePostgresDatabase();
describeSampleAppContract(
  'PostgreSQL',
  () => ({ DATABASE_URL: database().url, DATABASE_MIGRATE: 'true' }),
  2,
);
