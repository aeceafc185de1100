import { DelegatingSessionStore } from '../../src/session/stores/delegating-session-store.js';
import type {
  CommitResult,
  IndexChange,
  IndexResult,
  LoadOptions,
  LoadResult,
  SessionChange,
  SessionKey,
  SessionStore,
  SessionSummary,
} from '../../src/session/stores/session-store.js';

type Operation = 'load' | 'commit' | 'destroy' | 'updateIndex' | 'describe';
type Matcher = (...args: unknown[]) => boolean;

interface Interceptor {
  readonly operation: Operation;
  readonly when: Matcher;
  /** Calls still to catch. */
  remaining: number;
  /** Runs before the call reaches the real store; may wait or throw. */
  readonly before: () => Promise<void>;
}

/** A window held open in front of the store: `arrived` once a call is waiting, then `release()`. */
export interface Gate {
  readonly arrived: Promise<void>;
  release(): void;
}

/**
 * A test-only wrapper around a REAL store: it forwards every call, and can hold a call back (a
 * gate), make several calls wait for each other (a barrier) or fail one call. Nothing is mocked:
 * every call that is let through runs on the real store.
 */
export class GatedStore extends DelegatingSessionStore {
  private readonly interceptors: Interceptor[] = [];
  /** Every `updateIndex` call with its result, in order. */
  readonly indexCalls: { change: IndexChange; result?: IndexResult }[] = [];

  constructor(override readonly inner: SessionStore) {
    super(inner);
  }

  /** Holds the next matching call until `release()`. */
  hold(operation: Operation, when: Matcher = () => true): Gate {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.interceptors.push({
      operation,
      when,
      remaining: 1,
      before: async () => {
        arrive();
        await released;
      },
    });
    return { arrived, release };
  }

  /** Holds the next `count` matching calls until all of them have arrived, then lets all go. */
  barrier(operation: Operation, count: number, when: Matcher = () => true): Promise<void> {
    let arrivedCount = 0;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.interceptors.push({
      operation,
      when,
      remaining: count,
      before: async () => {
        arrivedCount += 1;
        if (arrivedCount === count) open();
        await opened;
      },
    });
    return opened;
  }

  /** Fails the next matching call with `error`; the real store never sees it. */
  failNext(operation: Operation, error: Error, when: Matcher = () => true): void {
    this.interceptors.push({
      operation,
      when,
      remaining: 1,
      before: async () => {
        throw error;
      },
    });
  }

  private async intercept(operation: Operation, args: unknown[]): Promise<void> {
    const match = this.interceptors.find(
      (i) => i.operation === operation && i.remaining > 0 && i.when(...args),
    );
    if (!match) return;
    match.remaining -= 1;
    await match.before();
  }

  override async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    await this.intercept('load', [key, options]);
    return this.inner.load(key, options);
  }

  override async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    await this.intercept('commit', [key, change]);
    return this.inner.commit(key, change);
  }

  override async destroy(key: SessionKey, ...rest: unknown[]): Promise<boolean> {
    await this.intercept('destroy', [key, ...rest]);
    return (this.inner.destroy as (...args: unknown[]) => Promise<boolean>)(key, ...rest);
  }

  override async updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    await this.intercept('updateIndex', [principalId, change]);
    const call: { change: IndexChange; result?: IndexResult } = { change };
    this.indexCalls.push(call);
    call.result = await this.inner.updateIndex(principalId, change);
    return call.result;
  }

  override async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    await this.intercept('describe', [keys, options]);
    return this.inner.describe(keys, options);
  }
}
