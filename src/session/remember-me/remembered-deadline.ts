import { SessionError } from '../session.errors.js';
import type { SessionMetadata } from '../stores/session-store.js';

/** How long a session signed in now may live; see `SessionService.signIn`. */
export interface SignInOptions {
  /** Give the session the longest lifetime `rememberMe.absoluteTimeoutMs` allows. */
  readonly rememberMe?: boolean;
  /**
   * Give the session this lifetime (ms from the sign-in) instead, capped at
   * `rememberMe.absoluteTimeoutMs`.
   */
  readonly absoluteTimeoutMs?: number;
}

/** What the deadline of a sign-in is decided from. */
export interface LifetimeSettings {
  readonly absoluteTimeoutMs: number;
  readonly rememberMe?: { readonly absoluteTimeoutMs: number };
}

/**
 * The absolute deadline a sign-in at `now` asks for, or `undefined` when it keeps the session's
 * own (no lifetime asked for). Never beyond the configured maximum.
 */
export function rememberedDeadlineOf(
  settings: LifetimeSettings,
  options: SignInOptions,
  now: number,
): number | undefined {
  const asked = options.absoluteTimeoutMs;
  if (asked === undefined && options.rememberMe !== true) return undefined;
  const maximum = settings.rememberMe?.absoluteTimeoutMs;
  if (maximum === undefined) {
    throw new SessionError('signIn with a lifetime needs the `rememberMe` module option');
  }
  if (asked !== undefined && !(Number.isInteger(asked) && asked > 0)) {
    throw new SessionError('signIn absoluteTimeoutMs must be a positive integer (ms)');
  }
  return now + Math.min(asked ?? maximum, maximum);
}

/**
 * A session whose lifetime exceeds the default one was remembered at sign-in: its cookie
 * persists even when `cookie.persistent` is false. Read from the deadlines the store keeps, so
 * every store and cookie sessions tell it the same way, with no extra field.
 */
export function isRemembered(
  meta: Pick<SessionMetadata, 'createdAt' | 'absoluteDeadline'> | undefined,
  absoluteTimeoutMs: number,
): boolean {
  return meta !== undefined && meta.absoluteDeadline - meta.createdAt > absoluteTimeoutMs;
}
