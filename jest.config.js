/**
 * Native ES-module Jest (run with `node --experimental-vm-modules`): NestJS 12 ships ES modules
 * only, and Jest's CommonJS loader cannot load them. See README, "Toolchain".
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The sample app imports the package by name, as users do; tests run it from source.
    '^nestjs-distributed-session$': '<rootDir>/src/index.ts',
    '^nestjs-distributed-session/health$': '<rootDir>/src/health/index.ts',
    '^nestjs-distributed-session/metrics$': '<rootDir>/src/metrics/index.ts',
    '^nestjs-distributed-session/postgres$': '<rootDir>/src/postgres/index.ts',
    '^nestjs-distributed-session/memcached$': '<rootDir>/src/memcached/index.ts',
    '^nestjs-distributed-session/helmet$': '<rootDir>/src/helmet/index.ts',
    '^nestjs-distributed-session/jwt$': '<rootDir>/src/jwt/index.ts',
    '^nestjs-distributed-session/testing$': '<rootDir>/src/testing/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

/** Directories whose suites run on both HTTP platforms. */
const FASTIFY_SUITES = [
  'core',
  'consistency',
  'security',
  'stateless',
  'writes',
  'management',
  'locking',
  'sample-app',
  'browser',
  'capabilities',
  'health',
  'metrics',
  'stores',
  'gateways',
];

/**
 * Suites that stay on Express: passport is Express middleware; the store-level ones (no HTTP)
 * would only run twice.
 */
const EXPRESS_ONLY = [
  '/test/security/passport',
  // Builds GraphQL and WebSocket contexts by hand around a captured Express request.
  '/test/security/guards-outside-http',
  '/test/management/tag-revocation',
  '/test/stores/express-session-adapter',
  '/test/writes/cluster-migration',
  '/test/writes/replica-acks-coverage',
];

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
    },
    {
      // The suites that go through HTTP, again on @nestjs/platform-fastify (test/support/test-platform.ts).
      ...shared,
      displayName: 'e2e-fastify',
      setupFiles: ['<rootDir>/test/support/use-fastify.cjs'],
      testMatch: FASTIFY_SUITES.map((dir) => `<rootDir>/test/${dir}/**/*.spec.ts`),
      testPathIgnorePatterns: EXPRESS_ONLY,
    },
  ],
  // Each e2e file starts its own redis-server processes; two workers fit a 2-core machine.
  maxWorkers: 2,
  // Bounded load and failover scenarios take seconds, not milliseconds.
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/totals-reporter.cjs'],
};
