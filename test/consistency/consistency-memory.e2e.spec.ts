import { MemorySessionStore } from '../../src/index.js';
import { describeConsistency } from './consistency-scenarios.js';
import { describeLockContention } from './lock-contention-scenarios.js';

// Three app instances over one shared in-process store: the memory store's lock and fence.
const store = new MemorySessionStore();
afterAll(() => store.close());
describeConsistency('memory store shared in one process', () => ({ store }), {
  naiveLosesUpdates: false,
});
describeLockContention('memory store shared in one process', () => ({ store }));
