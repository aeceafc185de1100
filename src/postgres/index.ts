// `nestjs-distributed-session/postgres`: needs `pg` (a Pool you pass), which the core never loads.
export {
  migratePostgresSessionStore,
  POSTGRES_SCHEMA_VERSION,
  PostgresSessionStore,
  type PostgresSessionStoreOptions,
  postgresSchemaVersion,
  SessionStoreSchemaError,
} from '../session/stores/postgres/index.js';
