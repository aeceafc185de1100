/** Metadata key of `@SkipCsrf()`. */
export const SKIP_CSRF_METADATA = 'nestjs-distributed-session:skip-csrf';
/** Metadata key of `@AllowAnonymous()`. */
export const ALLOW_ANONYMOUS_METADATA = 'nestjs-distributed-session:allow-anonymous';
/** Metadata key of `@RequireRecentSignIn(ms)`: the largest sign-in age the route accepts, ms. */
export const RECENT_SIGN_IN_METADATA = 'nestjs-distributed-session:recent-sign-in';
