import type { SessionKey } from '../../security/session-token.js';
import {
  type CommitReport,
  type CommitResult,
  type DestroyOptions,
  type DestroyResult,
  FULL_STORE_CAPABILITIES,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockedLoad,
  type LockSettings,
  type SessionChange,
  type SessionStoreCapabilities,
  type SessionStoreObserver,
  type SessionStoreProbe,
  type SessionSummary,
} from './session-store-types.js';

export type { SessionKey };
export * from './session-store-types.js';

/**
 * The contract of a session store, and its injection token: inject `SessionStore` to reach the
 * configured one. A store must give every operation below atomically (one round trip on Redis).
 */
export abstract class SessionStore {
  /**
   * Reads a session, drops it if a deadline passed, slides its idle deadline when due. A live
   * grace pointer at `key` (see {@link SessionChange.rotation}) is followed.
   */
  abstract load(key: SessionKey, options: LoadOptions): Promise<LoadResult>;

  /**
   * Applies a change set atomically, through a live grace pointer at `key`; see
   * {@link CommitResult} for the refusals.
   */
  abstract commit(key: SessionKey, change: SessionChange): Promise<CommitResult>;

  /**
   * Removes a session (also through a grace pointer, and the pointer) and revokes its tag: no key
   * of the tag loads or commits again until the session's absolute deadline, so a move that raced
   * the destroy does not keep it alive (see {@link DestroyOptions.until}). `true` when a session
   * was removed at `key`.
   */
  abstract destroy(key: SessionKey, options?: DestroyOptions): Promise<boolean>;

  /**
   * `commit`, also saying where the change landed. Stores with grace pointers override it; the
   * default reports `moveTo` only, so a caller must treat an `aliased` result without
   * `writtenKey` as landed on an unknown key.
   */
  async commitReporting(key: SessionKey, change: SessionChange): Promise<CommitReport> {
    const result = await this.commit(key, change);
    return result.status === 'committed' && change.moveTo
      ? { result, writtenKey: change.moveTo }
      : { result };
  }

  /**
   * `destroy`, also saying which keys it deleted. Stores with grace pointers override it; the
   * default reports `key` only.
   */
  async destroyReporting(key: SessionKey, options?: DestroyOptions): Promise<DestroyResult> {
    return { existed: await this.destroy(key, options), deletedKeys: [key] };
  }

  /**
   * Takes the lock of a session, waiting as `settings` say; raises `SessionLockTimeoutError`
   * when the wait is over. The fence is raised separately, by the `load` that follows the grant.
   */
  abstract acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock>;

  /**
   * Takes the session's lock and loads the session under it, raising the fence: how a locked
   * request starts. A store that can do both in one round trip overrides it (Redis with the lock
   * on the session's own master); by default, the lock, then the load.
   */
  async loadLocked(
    key: SessionKey,
    settings: LockSettings,
    options: LoadOptions,
  ): Promise<LockedLoad> {
    const lock = await this.acquireLock(key, settings);
    let result: LoadResult;
    try {
      result = await this.load(key, { ...options, raiseFence: true });
    } catch (error) {
      await lock.release();
      throw error;
    }
    return this.keptIfFound(result, lock);
  }

  /** A load made under `lock`: the lock stays held when the session was found, else released. */
  protected async keptIfFound(
    result: LoadResult,
    lock: HeldSessionLock | undefined,
  ): Promise<LockedLoad> {
    if (result.status === 'found') return { result, lock };
    await lock?.release();
    return { result };
  }

  /**
   * Updates a principal's session index in one atomic step: prunes members whose deadline
   * passed, removes `remove`, adds `add`. On Redis it is a sorted set in the principal's own slot,
   * so on Cluster it is a second command beside the session's; it runs at sign-in, sign-out,
   * regeneration of a signed-in session and revocation only, never on an ordinary request.
   */
  abstract updateIndex(principalId: string, change: IndexChange): Promise<IndexResult>;

  /**
   * Reads the list metadata of sessions without sliding or locking them; `undefined` for a
   * session that is gone or past a deadline.
   */
  abstract describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]>;

  /** What this store honours; a store that lacks something overrides this. @default everything */
  get capabilities(): SessionStoreCapabilities {
    return FULL_STORE_CAPABILITIES;
  }

  /** The store's name in boot and capability messages. */
  get storeName(): string {
    return this.constructor.name;
  }

  /** Pings the store, bounded by its command timeout; rejects when it cannot serve. */
  async probe(): Promise<SessionStoreProbe> {
    return { topology: 'custom', latencyMs: 0, masters: 0 };
  }

  /**
   * Reports a wait for a lock to observers as the operation `lock` (its own metrics, not a store
   * operation): its duration, and whether it ended without the lock.
   */
  protected async waitingForLock<T>(wait: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const granted = await wait();
      this.observer.operation('lock', performance.now() - started, false);
      return granted;
    } catch (error) {
      this.observer.operation('lock', performance.now() - started, true);
      throw error;
    }
  }

  private readonly observers = new Set<SessionStoreObserver>();

  /** Fans a happening out to every observer; stores report through it. */
  protected readonly observer: Required<SessionStoreObserver> = {
    replicaShortfall: (event) => this.observers.forEach((o) => o.replicaShortfall?.(event)),
    expired: (sessionId) => this.observers.forEach((o) => o.expired?.(sessionId)),
    error: (operation, error) => this.observers.forEach((o) => o.error?.(operation, error)),
    operation: (operation, durationMs, failed) =>
      this.observers.forEach((o) => o.operation?.(operation, durationMs, failed)),
  };

  /**
   * Runs one store operation and reports it: its duration and outcome to `operation`, a failure
   * (as `reported` names it) to `error`. Stores pass their calls through it, bounded by their
   * own timeout.
   */
  protected observed<T>(
    operation: string,
    call: () => Promise<T>,
    reported: (error: Error) => Error = (error) => error,
  ): Promise<T> {
    const started = performance.now();
    const failureOf = (error: unknown): Error => {
      this.observer.operation(operation, performance.now() - started, true);
      const failure = reported(error as Error);
      this.observer.error(operation, failure);
      return failure;
    };
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      return Promise.reject(failureOf(error));
    }
    // `then`, not an async function: this wraps every store round trip of every request.
    return pending.then(
      (result) => {
        this.observer.operation(operation, performance.now() - started, false);
        return result;
      },
      (error: unknown) => {
        throw failureOf(error);
      },
    );
  }

  /** Subscribes to store-level happenings (events, metrics); returns the unsubscribe function. */
  observe(observer: SessionStoreObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * Resolves once the store can serve, or after `timeoutMs` with `false`; the module waits for
   * it at start-up so that the first requests do not fail while a client still connects.
   */
  async ready(_timeoutMs: number): Promise<boolean> {
    return true;
  }

  /** Releases what the store opened. Stores built from a client the user passed leave it open. */
  async close(): Promise<void> {}
}
