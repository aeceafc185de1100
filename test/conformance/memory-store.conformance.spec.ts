import { MemorySessionStore } from '../../src/session/stores/memory/memory-session-store.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance('MemorySessionStore', () => new MemorySessionStore());
