import type { SessionKey } from '../../security/session-token.js';

/* What crosses the SessionStore contract: options, changes, results, capabilities. */

/** Metadata a store keeps beside the data of a session. Times are epoch milliseconds. */
export interface SessionMetadata {
  /** Raised by every commit; optimistic commits compare it. */
  readonly version: number;
  readonly createdAt: number;
  /** When the idle deadline was last slid; the idle deadline is `lastAccessAt + idleTimeoutMs`. */
  readonly lastAccessAt: number;
  /** The session ends then, used or not. Set at creation; only a remembered sign-in moves it. */
  readonly absoluteDeadline: number;
  /** Raised by every lock grant; a commit carrying an older fence is refused. */
  readonly fence: number;
  /** JSON of the signed-in principal, if any. */
  readonly principal?: string;
  /** HMAC of the request properties the session is bound to, if any. */
  readonly fingerprint?: string;
  /** When the token was last rotated or the principal last signed in. */
  readonly authenticatedAt?: number;
  /** Short user-agent summary recorded at sign-in (e.g. 'Firefox on Linux'), for session lists. */
  readonly userAgent?: string;
  /** Client IP recorded at sign-in, when `principalSessions.trackClientIp` is on. */
  readonly clientIp?: string;
  /** When the token was last replaced; kept only while `rotation` is on (else `createdAt` counts). */
  readonly rotatedAt?: number;
}

/** A stored session: metadata and the JSON of each top-level data key. */
export interface StoredSession {
  readonly meta: SessionMetadata;
  readonly data: Readonly<Record<string, string>>;
}

/** What `load` needs to check and slide deadlines. */
export interface LoadOptions {
  readonly now: number;
  readonly idleTimeoutMs: number;
  /** The idle deadline is slid only once this much of the idle window has passed. */
  readonly slideAfterMs: number;
  /** Raise the fence and return it (a lock was just granted). */
  readonly raiseFence?: boolean;
}

/** A session loaded under its lock (`SessionStore.loadLocked`). */
export interface LockedLoad {
  readonly result: LoadResult;
  /** The lock, held when the session was found; a session not found is not left locked. */
  readonly lock?: HeldSessionLock;
}

export type LoadResult =
  | {
      readonly status: 'found';
      readonly session: StoredSession;
      readonly slid: boolean;
      /**
       * Found through the grace pointer a rotation left at `key`: the token used was replaced
       * moments ago, and the caller must not hand it out again.
       */
      readonly aliased?: boolean;
    }
  | { readonly status: 'missing' }
  | { readonly status: 'expired' };

/** Metadata a commit may set; `null` removes the field. */
export interface MetadataChange {
  readonly principal?: string | null;
  readonly fingerprint?: string | null;
  readonly authenticatedAt?: number | null;
  readonly userAgent?: string | null;
  readonly clientIp?: string | null;
  readonly rotatedAt?: number | null;
}

/** The metadata fields a commit may change, in the order stores encode them. */
export const METADATA_CHANGE_FIELDS = [
  'principal',
  'fingerprint',
  'authenticatedAt',
  'userAgent',
  'clientIp',
  'rotatedAt',
] as const satisfies readonly (keyof MetadataChange)[];

/** One member of a principal's session index: a session and the deadline it is scored by. */
export interface IndexedSession {
  readonly key: SessionKey;
  /** The session's absolute deadline (only a sign-in sets it, so reads never touch the index). */
  readonly deadline: number;
}

/** One atomic update of a principal's index; stale members (deadline passed) are always pruned. */
export interface IndexChange {
  readonly now: number;
  readonly add?: IndexedSession;
  readonly remove?: readonly SessionKey[];
  /**
   * With `add`: the most sessions the principal may have, decided in the same atomic step.
   * Members of the added session's tag (earlier keys of the same session) do not count. At the
   * cap, 'refuse' leaves the index unchanged (`refused`); 'sign-out-oldest' adds and names the
   * oldest others in `evicted`, which stay members until the caller has destroyed them.
   */
  readonly cap?: { readonly limit: number; readonly onLimit: 'sign-out-oldest' | 'refuse' };
  /** Return every member (`sessions`); false returns only `count`. @default true */
  readonly list?: boolean;
}

/** A principal's index after an update. */
export interface IndexResult {
  /** How many of `remove` were members (0 when the session was not this principal's). */
  readonly removed: number;
  /** The members left, earliest deadline first (empty when `list` was false). */
  readonly sessions: readonly IndexedSession[];
  /** With `cap` or `list: false`: how many members are left. */
  readonly count?: number;
  /** With `cap`: the add was refused at the cap. */
  readonly refused?: boolean;
  /** With `cap`: the oldest other sessions to sign out to stay at the cap, oldest first. */
  readonly evicted?: readonly IndexedSession[];
}

/** How a destroy revokes the session's tag. */
export interface DestroyOptions {
  /**
   * The session's absolute deadline, given by a caller that knows `key` was this session's
   * (revocation, logout): every key of the session's tag stays refused until then, even if the
   * session was moved (rotated, regenerated) meanwhile and `key` names nothing any more. Without
   * it, the tag is revoked only when a session was found at `key` (until its own deadline).
   */
  readonly until?: number;
}

/** What a session list shows of a session; read without sliding or changing it. */
export interface SessionSummary {
  readonly createdAt: number;
  readonly lastAccessAt: number;
  readonly absoluteDeadline: number;
  readonly principal?: string;
  readonly userAgent?: string;
  readonly clientIp?: string;
}

/** What a health probe of a store found. */
export interface SessionStoreProbe {
  /** 'memory', 'standalone', 'sentinel' or 'cluster'. */
  readonly topology: string;
  /** Slowest PING round trip over the nodes probed, ms. */
  readonly latencyMs: number;
  /** Masters that answered; on Cluster, every master is pinged. */
  readonly masters: number;
}

/** Store-level happenings the module turns into events and metrics. */
export interface SessionStoreObserver {
  /** A commit was acknowledged by fewer replicas than `replicaAcks` asked for, and accepted. */
  replicaShortfall?(event: { readonly requested: number; readonly acknowledged: number }): void;
  /** A session key expired in Redis (keyspace notification), reported by its public id. */
  expired?(sessionId: string): void;
  /** A store operation failed or timed out. */
  error?(operation: string, error: Error): void;
  /** A store operation ('load', 'commit', 'lock', ...) finished after `durationMs`. */
  operation?(operation: string, durationMs: number, failed: boolean): void;
}

/** One commit: only changed and deleted keys travel, never the whole session. */
export interface SessionChange {
  readonly now: number;
  readonly idleTimeoutMs: number;
  /** Create the session (fails if it exists). Otherwise the session must still exist. */
  readonly create?: { readonly absoluteDeadline: number };
  readonly set: Readonly<Record<string, string>>;
  readonly delete: readonly string[];
  readonly meta?: MetadataChange;
  /** Drop every data key not in `set` (regenerate without data). */
  readonly clearData?: boolean;
  /** Optimistic mode: refuse unless the stored version is this one. */
  readonly expectedVersion?: number;
  /** Locked mode: refuse when the stored fence is newer than this one. */
  readonly fence?: number;
  /** Move the session to this key in the same atomic step (regeneration; same tag, same slot). */
  readonly moveTo?: SessionKey;
  /**
   * With `moveTo` and without `rotation` (a sign-in's regeneration): the moved session's absolute
   * deadline becomes this, in the same atomic step ("remember me" gives a signed-in session a
   * longer lifetime). Absent, the deadline set at creation stays.
   */
  readonly absoluteDeadline?: number;
  /**
   * With `moveTo`: the move is a periodic token rotation, not a regeneration. When `key` is
   * already a grace pointer (a concurrent request rotated first), the move is skipped and the
   * change lands where the pointer leads. Otherwise, with `graceMs` > 0, `key` stays behind as a
   * pointer to `moveTo` for `graceMs`, so requests in flight with the old token still reach the
   * session; a regeneration (no `rotation`) through a pointer removes the pointer.
   */
  readonly rotation?: { readonly graceMs: number };
  /** Release this lock in the same round trip as the commit (when the store holds the lock). */
  readonly releaseLock?: HeldSessionLock;
  /**
   * A regeneration that writes the whole session again (`set` holds every data key, `clearData`
   * is on, `meta` every field), so an encrypting store can seal it all for the new key. Carries
   * the fixed metadata such a store authenticates; other stores ignore it.
   */
  readonly reseal?: { readonly createdAt: number; readonly absoluteDeadline: number };
  /**
   * Most data bytes (key names and JSON values) the session may hold after the change, measured
   * by the store on what it holds: a change that would grow the session past it is refused
   * ('too-large'); a change that does not grow it always passes.
   */
  readonly maxBytes?: number;
}

/** How a session lock is waited for. */
export interface LockSettings {
  /** How long a grant lasts unless extended, ms. */
  readonly durationMs: number;
  /** Further attempts after the first; the wait is bounded by their number and delay. */
  readonly retryCount: number;
  readonly retryDelayMs: number;
  /** Random extra delay per attempt, so waiting requests do not retry in step. */
  readonly retryJitterMs: number;
  /** Status of the `SessionLockTimeoutError` raised when the wait is over. */
  readonly timeoutStatus: number;
}

/** A lock a request holds on a session. */
export interface HeldSessionLock {
  /** The random value that proves ownership of the lock. */
  readonly value: string;
  /** True when a commit of this store can release the lock in its own round trip. */
  readonly releasableByCommit: boolean;
  /** Pushes the expiry `durationMs` from now; rejects when the lock was lost. */
  extend(durationMs: number): Promise<void>;
  /** Releases the lock if still held; never throws. */
  release(): Promise<void>;
}

export type CommitResult =
  | {
      readonly status: 'committed';
      readonly version: number;
      readonly expiresAt: number;
      /** Replicas that acknowledged the write (`replicaAcks` > 0 only). */
      readonly replicas?: number;
      /** `key` was a rotation's grace pointer: the change landed where it leads. */
      readonly aliased?: boolean;
    }
  /** The session no longer exists (destroyed, revoked or expired): nothing was written. */
  | { readonly status: 'gone' }
  /** `create` found a session under the key: nothing was written. */
  | { readonly status: 'exists' }
  /**
   * A write made without the lock while `releaseLock` was held changed a key this change would
   * overwrite with an older copy; or, optimistic mode, the version moved. Nothing was written.
   */
  | { readonly status: 'conflict'; readonly storedVersion: number }
  /** The session would grow past `maxBytes` (its size after the change): nothing was written. */
  | { readonly status: 'too-large'; readonly bytes: number }
  | { readonly status: 'fenced'; readonly storedFence: number };

/** What a commit did: its result, and where the change landed when that is not `key`. */
export interface CommitReport {
  readonly result: CommitResult;
  /** `moveTo`, or where a grace pointer at `key` led (a near cache drops it too). */
  readonly writtenKey?: SessionKey;
}

/** What a destroy did: whether a session existed, and every key it deleted. */
export interface DestroyResult {
  readonly existed: boolean;
  /** `key`, and the session a grace pointer at `key` led to (a near cache drops them all). */
  readonly deletedKeys: readonly SessionKey[];
}

/**
 * What a store can honour. The module refuses at boot any option or decorator that needs a
 * capability its store lacks, naming both; at run time the store refuses the operation with
 * `SessionCapabilityError` (501).
 */
export interface SessionStoreCapabilities {
  /** A commit writes only the changed keys: concurrent commits of different keys all survive. */
  readonly perKeyMerge: boolean;
  /** `expectedVersion` is checked in the commit: optimistic mode (`@SessionOptimistic()`). */
  readonly versions: boolean;
  /** `acquireLock` and a fence checked in the commit: `@SessionLock()`, `withLock()`. */
  readonly locks: boolean;
  /** `updateIndex` and `describe`: session lists, revocation, `principalSessions`. */
  readonly principalIndex: boolean;
  /** Idle and absolute deadlines enforced by the store (a read never returns an expired session). */
  readonly expiry: boolean;
  /** `moveTo` with `rotation` grace pointers: periodic token `rotation`. */
  readonly rotation: boolean;
}

/** The capabilities of a store that gives everything (Redis, memory): the default. */
export const FULL_STORE_CAPABILITIES: SessionStoreCapabilities = Object.freeze({
  perKeyMerge: true,
  versions: true,
  locks: true,
  principalIndex: true,
  expiry: true,
  rotation: true,
});
