/* The metadata keys of every decorator of the library, in one place. */

/** Metadata key of `@SessionLock()`: the route's lock settings. */
export const SESSION_LOCK_METADATA = 'nestjs-distributed-session:lock';
/** Metadata key of `@SessionOptimistic()`. */
export const SESSION_OPTIMISTIC_METADATA = 'nestjs-distributed-session:optimistic';
/** Metadata key of `@SkipCsrf()`. */
export const SKIP_CSRF_METADATA = 'nestjs-distributed-session:skip-csrf';
/** Metadata key of `@AllowAnonymous()`. */
export const ALLOW_ANONYMOUS_METADATA = 'nestjs-distributed-session:allow-anonymous';
/** Metadata key of `@RequireRecentSignIn(ms)`: the largest sign-in age the route accepts, ms. */
export const RECENT_SIGN_IN_METADATA = 'nestjs-distributed-session:recent-sign-in';
/** Metadata key of `@SkipSession()`. */
export const SKIP_SESSION_METADATA = 'nestjs-distributed-session:skip-session';
