import { SessionError } from '../../session.errors.js';

/**
 * An invalidation could not be confirmed: other instances may serve their copy of the session
 * until they drop it (reported as a `store-error` with operation 'invalidate'; the write itself
 * stands).
 */
export class NearCacheInvalidationError extends SessionError {
  override readonly httpStatus = 503;

  static unconfirmed(ackTimeoutMs: number, detail: string): NearCacheInvalidationError {
    return new NearCacheInvalidationError(
      `A near-cache invalidation was not confirmed by every instance within ${ackTimeoutMs} ms ` +
        `(${detail}); their copies may serve until they drop them. Check the instances' Redis ` +
        'connections, or raise `nearCache.ackTimeoutMs`.',
    );
  }

  static publishFailed(cause: unknown): NearCacheInvalidationError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new NearCacheInvalidationError(
      `Redis refused a near-cache invalidation (${reason}); other instances may serve their ` +
        'copy until the next invalidation reaches them (this instance sends a full flush next).',
      { cause },
    );
  }
}
