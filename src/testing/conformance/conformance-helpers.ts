/// <reference types="jest" />
import type {
  LoadOptions,
  LoadResult,
  SessionChange,
  SessionKey,
  SessionMetadata,
  SessionStore,
  SessionStoreCapabilities,
  StoredSession,
} from '../../index.js';
import {
  createSessionToken,
  sessionKeyOf,
  type SessionToken,
} from '../../security/session-token.js';

export const SECOND = 1000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A `slideAfterMs` that never slides, so loads leave `lastAccessAt` alone. */
export const NO_SLIDE = 10 * DAY;

/** What every topic of the suite is handed by `describeStoreConformance`. */
export interface ConformanceSuite {
  /** The store under test; created in the suite's `beforeAll`, so read it in a hook or case. */
  readonly store: () => SessionStore;
  /** `describe` when the store has every capability `needs` names, else `describe.skip`. */
  readonly describeWith: (...needs: (keyof SessionStoreCapabilities)[]) => jest.Describe;
  /** `it` when the store has every capability `needs` names, else `it.skip`. */
  readonly itWith: (...needs: (keyof SessionStoreCapabilities)[]) => jest.It;
}

/** A fresh token and its store key: every case uses its own, so cases do not depend on order. */
export function freshSession(): { token: SessionToken; key: SessionKey } {
  const token = createSessionToken();
  return { token, key: sessionKeyOf(token) };
}

/**
 * A clock value an hour ahead of the real one. The store is handed `now` by its caller; Redis sets
 * the key expiry from it (PEXPIREAT), so with a future `now` the key outlives the case even with
 * short idle timeouts, and deadlines are checked against the given values only.
 */
export function futureNow(): number {
  return Date.now() + HOUR;
}

export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** A change creating a session at `now`: idle timeout an hour, absolute deadline a day. */
export function creating(
  now: number,
  set: Record<string, string> = {},
  extra: Partial<SessionChange> = {},
): SessionChange {
  return {
    now,
    idleTimeoutMs: HOUR,
    create: { absoluteDeadline: now + DAY },
    set,
    delete: [],
    ...extra,
  };
}

/** A change updating a session at `now` with an idle timeout of an hour. */
export function updating(
  now: number,
  set: Record<string, string> = {},
  remove: readonly string[] = [],
  extra: Partial<SessionChange> = {},
): SessionChange {
  return { now, idleTimeoutMs: HOUR, set, delete: remove, ...extra };
}

/** Load options at `now` that never slide, with an idle timeout of an hour. */
export function loadingAt(now: number, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { now, idleTimeoutMs: HOUR, slideAfterMs: NO_SLIDE, ...extra };
}

/**
 * The metadata of a session made by `creating(createdAt)` and not touched since; `changed` names
 * what later commits and loads changed (version, lastAccessAt, fence, principal, ...).
 */
export function storedMeta(
  createdAt: number,
  changed: Partial<SessionMetadata> = {},
): SessionMetadata {
  return {
    version: 1,
    createdAt,
    lastAccessAt: createdAt,
    absoluteDeadline: createdAt + DAY,
    fence: 0,
    ...changed,
  };
}

type Found = Extract<LoadResult, { status: 'found' }>;

/** Loads `key` and fails the case unless it was found. */
export async function loadFound(
  store: SessionStore,
  key: SessionKey,
  options: LoadOptions,
): Promise<Found> {
  const result = await store.load(key, options);
  expect(result.status).toBe('found');
  if (result.status !== 'found') throw new Error(`expected found, got ${result.status}`);
  return result;
}

/** Loads `key` without sliding or raising the fence and returns the stored session. */
export async function read(
  store: SessionStore,
  key: SessionKey,
  now: number,
): Promise<StoredSession> {
  return (await loadFound(store, key, loadingAt(now))).session;
}
