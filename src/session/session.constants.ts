/** Metadata key of `@SessionLock()`: the route's lock settings. */
export const SESSION_LOCK_METADATA = 'nestjs-distributed-session:lock';
/** Metadata key of `@SessionOptimistic()`. */
export const SESSION_OPTIMISTIC_METADATA = 'nestjs-distributed-session:optimistic';
