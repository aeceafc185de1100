/// <reference types="jest" />
// Runs under Jest (or a runner with Jest's globals): shipped as `nestjs-distributed-session/testing`.
import {
  FULL_STORE_CAPABILITIES,
  type SessionStore,
  type SessionStoreCapabilities,
} from '../../index.js';
import { describeCapabilityRefusals } from './capability-refusals.js';
import type { ConformanceSuite } from './conformance-helpers.js';
import { describeDeadlines } from './deadlines.js';
import { describeLoadAndCommit } from './load-and-commit.js';
import { describeMetadataAndClearData } from './metadata-and-clear-data.js';
import { describePrincipalIndex } from './principal-index.js';
import { describeRedisKeyLayout } from './redis-key-layout.js';
import { describeRegeneration } from './regeneration.js';
import { describeRememberedDeadline } from './remembered-deadline.js';
import { describeRotation } from './rotation.js';
import { describeValuesAndFieldNames } from './values-and-field-names.js';
import { describeVersionsAndFences } from './versions-and-fences.js';

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Also run the Redis-only cases (key TTL, key layout). The store must be a
   * `RedisSessionStore`.
   */
  readonly redis?: boolean;
  /**
   * The capabilities the store declares (missing ones default to true): each case runs only on a
   * store whose capabilities cover it, and the store must refuse what it lacks.
   */
  readonly capabilities?: Partial<SessionStoreCapabilities>;
}

/** Runs after the store was closed, in `afterAll`: close clients the spec opened. */
export type StoreCleanup = (store: SessionStore) => void | Promise<void>;

/**
 * The store conformance suite: the cases every {@link SessionStore} must pass. `createStore` runs
 * once in `beforeAll`; `afterAll` closes the store and then runs `cleanup`.
 */
export function describeStoreConformance(
  name: string,
  createStore: () => SessionStore | Promise<SessionStore>,
  cleanup?: StoreCleanup,
  options: StoreConformanceOptions = {},
): void {
  const capabilities = { ...FULL_STORE_CAPABILITIES, ...options.capabilities };
  const covered = (needs: (keyof SessionStoreCapabilities)[]) =>
    needs.every((need) => capabilities[need]);

  describe(`SessionStore conformance: ${name}`, () => {
    let store: SessionStore;
    const suite: ConformanceSuite = {
      store: () => store,
      describeWith: (...needs) => (covered(needs) ? describe : describe.skip),
      itWith: (...needs) => (covered(needs) ? it : it.skip),
    };

    describeCapabilityRefusals(() => store, capabilities);

    // Registered before the topics: their own `beforeAll` reads the store this one creates.
    beforeAll(async () => {
      store = await createStore();
    });

    afterAll(async () => {
      if (!store) return;
      try {
        await store.close();
      } finally {
        await cleanup?.(store);
      }
    });

    describeLoadAndCommit(suite);
    describeVersionsAndFences(suite);
    describeMetadataAndClearData(suite);
    describePrincipalIndex(suite);
    describeRegeneration(suite);
    describeRememberedDeadline(suite);
    describeRotation(suite);
    describeDeadlines(suite);
    describeValuesAndFieldNames(suite);
    if (options.redis) describeRedisKeyLayout(suite);
  });
}
