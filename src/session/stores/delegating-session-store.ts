import {
  type CommitResult,
  type DestroyOptions,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockSettings,
  type SessionChange,
  type SessionKey,
  SessionStore,
  type SessionStoreCapabilities,
  type SessionStoreObserver,
  type SessionStoreProbe,
  type SessionSummary,
} from './session-store.js';

/**
 * A store that wraps another and hands it every operation; a wrapper (encryption, near cache)
 * overrides only what it changes. `commitReporting` and `destroyReporting` keep the
 * {@link SessionStore} defaults, which go through this wrapper's own `commit` and `destroy`, so
 * a wrapper that changes a write cannot be bypassed by the reporting variant.
 */
export abstract class DelegatingSessionStore extends SessionStore {
  constructor(protected readonly inner: SessionStore) {
    super();
  }

  load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    return this.inner.load(key, options);
  }

  commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    return this.inner.commit(key, change);
  }

  destroy(key: SessionKey, options?: DestroyOptions): Promise<boolean> {
    return this.inner.destroy(key, options);
  }

  acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.inner.acquireLock(key, settings);
  }

  updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    return this.inner.updateIndex(principalId, change);
  }

  describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    return this.inner.describe(keys, options);
  }

  /** The inner store's: a wrapper adds or removes no capability. */
  override get capabilities(): SessionStoreCapabilities {
    return this.inner.capabilities;
  }

  override probe(): Promise<SessionStoreProbe> {
    return this.inner.probe();
  }

  /** Observers hear the inner store's happenings and this wrapper's own. */
  override observe(observer: SessionStoreObserver): () => void {
    const own = super.observe(observer);
    const inner = this.inner.observe(observer);
    return () => {
      own();
      inner();
    };
  }

  override ready(timeoutMs: number): Promise<boolean> {
    return this.inner.ready(timeoutMs);
  }

  override close(): Promise<void> {
    return this.inner.close();
  }
}
