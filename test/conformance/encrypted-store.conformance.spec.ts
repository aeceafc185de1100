import { EncryptedSessionStore } from '../../src/session/stores/encrypted/encrypted-session-store.js';
import { MemorySessionStore } from '../../src/session/stores/memory/memory-session-store.js';
import { describeStoreConformance } from './store-conformance.js';

// The wrapper must keep every guarantee of the store it wraps (values sealed, semantics intact).
describeStoreConformance(
  'EncryptedSessionStore over MemorySessionStore',
  () =>
    new EncryptedSessionStore(new MemorySessionStore(), [
      'conformance-encryption-key-0123456789abcdef',
    ]),
);
