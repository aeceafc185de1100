// `nestjs-distributed-session/testing`: for tests only (Jest globals, @nestjs/testing, supertest).
export {
  SESSION_TESTING_COOKIE,
  SessionTestingModule,
  type SessionTestingOptions,
} from './session-testing.module.js';
export { SESSION_TESTING_PATH, type SessionTestingSnapshot } from './session-testing.controller.js';
export {
  readSession,
  seedSession,
  signInAs,
  type SessionTestAgent,
  type SessionTestAgentOptions,
  type SessionTestRequest,
} from './session-test-agent.js';
export { describeSessionStoreConformance } from './describe-session-store-conformance.js';
export type { StoreCleanup, StoreConformanceOptions } from './conformance/store-conformance.js';
