import { expiresAtOf, isPastDeadline } from '../session-deadlines.js';
import type { SessionKey } from '../../../security/session-token.js';
import { SessionCapabilityError } from '../../capabilities/capabilities.errors.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type SessionChange,
  SessionStore,
  type SessionStoreCapabilities,
  type SessionStoreProbe,
  type SessionSummary,
  type StoredSession,
} from '../session-store.js';
import { applyChange, createdSession } from '../session-blob/session-blob.js';
import { withTimeout } from '../with-timeout.js';
import type { AdaptedBlob, ExpressSessionStoreLike } from './express-session-store-like.js';

export interface ExpressSessionStoreAdapterOptions {
  /** Prefix of the session ids handed to the store. @default '' */
  readonly prefix?: string;
  /** Longest wait for one store call before the request gets 503. @default 2000 */
  readonly commandTimeoutMs?: number;
}

const CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  perKeyMerge: false,
  versions: false,
  locks: false,
  principalIndex: false,
  expiry: true,
  rotation: false,
});

/**
 * Any express-session store as a `SessionStore`: the session is one blob, read and written whole
 * (`get`, then `set`), so of two requests writing at once the last one wins, even for different
 * keys. No locks, no optimistic mode, no principal index, no rotation grace: the module refuses
 * them at boot. Deadlines are checked on every read; the store expires blobs by `cookie.expires`.
 */
export class ExpressSessionStoreAdapter extends SessionStore {
  private readonly prefix: string;
  private readonly timeoutMs: number;

  constructor(
    readonly store: ExpressSessionStoreLike,
    options: ExpressSessionStoreAdapterOptions = {},
  ) {
    super();
    this.prefix = options.prefix ?? '';
    this.timeoutMs = options.commandTimeoutMs ?? 2000;
  }

  override get capabilities(): SessionStoreCapabilities {
    return CAPABILITIES;
  }

  override get storeName(): string {
    const inner = (this.store as { constructor?: { name?: string } }).constructor?.name;
    return `ExpressSessionStoreAdapter(${inner ?? 'store'})`;
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const { now, idleTimeoutMs } = options;
    const sid = this.sidOf(key);
    const session = await this.read(sid);
    if (!session) return { status: 'missing' };
    if (isPastDeadline(session.meta, now, idleTimeoutMs)) {
      await this.call('destroy', (done) => this.store.destroy(sid, done));
      return { status: 'expired' };
    }
    if (options.raiseFence) throw this.missing('locks', 'A session lock (fence)');
    const slid = now - session.meta.lastAccessAt >= options.slideAfterMs;
    if (!slid) return { status: 'found', slid, session };
    const next = { meta: { ...session.meta, lastAccessAt: now }, data: session.data };
    await this.write(sid, next, idleTimeoutMs);
    return { status: 'found', slid, session: next };
  }

  async commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const { now, idleTimeoutMs } = change;
    const sid = this.sidOf(key);
    const current = await this.read(sid);
    const live = current && !isPastDeadline(current.meta, now, idleTimeoutMs);
    if (change.create) {
      if (live) return { status: 'exists' };
      return this.save(sid, createdSession(change, change.create.absoluteDeadline), idleTimeoutMs);
    }
    if (!current) return { status: 'gone' };
    if (!live) {
      await this.call('destroy', (done) => this.store.destroy(sid, done));
      return { status: 'gone' };
    }
    if (change.expectedVersion !== undefined) throw this.missing('versions', 'Optimistic mode');
    if (change.fence !== undefined) throw this.missing('locks', 'A locked commit');
    if (change.rotation) throw this.missing('rotation', 'Token rotation');
    const next = applyChange(current, change);
    if (!change.moveTo) return this.save(sid, next, idleTimeoutMs);
    // Not atomic: the new blob first, so a failure between the two calls loses no session.
    const result = await this.save(this.sidOf(change.moveTo), next, idleTimeoutMs);
    await this.call('destroy', (done) => this.store.destroy(sid, done));
    return result;
  }

  async destroy(key: SessionKey): Promise<boolean> {
    const sid = this.sidOf(key);
    const existed = (await this.read(sid)) !== undefined;
    await this.call('destroy', (done) => this.store.destroy(sid, done));
    return existed;
  }

  async acquireLock(): Promise<HeldSessionLock> {
    throw this.missing('locks', 'A session lock (@SessionLock(), withLock())');
  }

  async updateIndex(): Promise<IndexResult> {
    throw this.missing(
      'principalIndex',
      'A per-principal session index (session lists, revocation)',
    );
  }

  async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    return Promise.all(
      keys.map(async (key) => {
        const session = await this.read(this.sidOf(key));
        if (!session || isPastDeadline(session.meta, options.now, options.idleTimeoutMs)) {
          return undefined;
        }
        const { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp } =
          session.meta;
        return { createdAt, lastAccessAt, absoluteDeadline, principal, userAgent, clientIp };
      }),
    );
  }

  override async probe(): Promise<SessionStoreProbe> {
    const started = performance.now();
    await this.read(`${this.prefix}probe`);
    return { topology: 'express-session', latencyMs: performance.now() - started, masters: 1 };
  }

  private async save(
    sid: string,
    session: StoredSession,
    idleTimeoutMs: number,
  ): Promise<CommitResult> {
    const expiresAt = await this.write(sid, session, idleTimeoutMs);
    return { status: 'committed', version: session.meta.version, expiresAt };
  }

  private async write(sid: string, session: StoredSession, idleTimeoutMs: number): Promise<number> {
    const expiresAt = expiresAtOf(session.meta, idleTimeoutMs);
    const blob: AdaptedBlob = {
      cookie: {
        expires: new Date(expiresAt).toISOString(),
        originalMaxAge: expiresAt - session.meta.lastAccessAt,
      },
      nds: { m: session.meta, d: session.data },
    };
    await this.call('commit', (done) => this.store.set(sid, blob as never, done));
    return expiresAt;
  }

  private async read(sid: string): Promise<StoredSession | undefined> {
    const blob = await this.call<unknown>('load', (done) => this.store.get(sid, done));
    const nds = (blob as Partial<AdaptedBlob> | null | undefined)?.nds;
    if (!nds?.m) return undefined;
    // fromEntries: a data key named `__proto__` stays a key instead of a prototype.
    return { meta: nds.m, data: Object.fromEntries(Object.entries(nds.d ?? {})) };
  }

  private call<T = void>(
    operation: string,
    invoke: (done: (error?: unknown, result?: T) => void) => void,
  ): Promise<T> {
    return withTimeout(
      operation,
      this.timeoutMs,
      () =>
        new Promise<T>((resolve, reject) =>
          invoke((error, result) => (error ? reject(error) : resolve(result as T))),
        ),
    );
  }

  private sidOf(key: SessionKey): string {
    return `${this.prefix}${key.tag}:${key.secretHash}`;
  }

  private missing(capability: keyof SessionStoreCapabilities, operation: string): Error {
    return SessionCapabilityError.missing(this.storeName, capability, operation);
  }
}

/**
 * Wraps an express-session store (connect-pg-simple, connect-mongo, ...) as a whole-blob,
 * last-writer-wins `SessionStore`; see {@link ExpressSessionStoreAdapter} for what is lost.
 */
export function fromExpressSessionStore(
  store: ExpressSessionStoreLike,
  options?: ExpressSessionStoreAdapterOptions,
): ExpressSessionStoreAdapter {
  return new ExpressSessionStoreAdapter(store, options);
}
