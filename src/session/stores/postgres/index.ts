export {
  PostgresSessionStore,
  type PostgresSessionStoreOptions,
} from './postgres-session-store.js';
export {
  migratePostgresSessionStore,
  postgresSchemaVersion,
  POSTGRES_SCHEMA_VERSION,
} from './postgres-migrations.js';
export { SessionStoreSchemaError } from './postgres-errors.js';
