import { MemorySessionStore } from '../../src/index.js';
import { describeLockWake } from './lock-wake-scenarios.js';

const store = new MemorySessionStore();
afterAll(() => store.close());
// One process: waiters queue in it as soon as they ask.
describeLockWake(
  'memory store',
  () => ({ holders: store, waiters: store }),
  () => new Promise((resolve) => setImmediate(resolve)),
);
