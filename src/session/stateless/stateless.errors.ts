import { SessionConflictError, SessionError, SessionTooLargeError } from '../session.errors.js';

/**
 * A cookie session would not fit in its cookie (`cookieSessions.maxCookieBytes`, about 4 KB in
 * browsers). Nothing was sent: the client keeps its previous cookie.
 */
export class SessionCookieTooLargeError extends SessionTooLargeError {
  constructor(
    message: string,
    /** Bytes the cookie (`name=value`, encoded) would have taken. */
    readonly bytes: number,
    /** The limit it exceeded. */
    readonly limit: number,
  ) {
    super(message);
  }

  static sealed(bytes: number, limit: number): SessionCookieTooLargeError {
    return new SessionCookieTooLargeError(
      `The sealed session cookie would take ${bytes} bytes, over the limit of ${limit} bytes; ` +
        'nothing was sent and the previous cookie stays. Keep large data out of cookie ' +
        'sessions, or use a Redis store.',
      bytes,
      limit,
    );
  }
}

/**
 * An operation needs server-side session state (locks, optimistic versions, session lists, admin
 * access by token), and `cookieSessions` keeps none.
 */
export class SessionStoreRequiredError extends SessionError {
  static forOperation(operation: string): SessionStoreRequiredError {
    return new SessionStoreRequiredError(
      `${operation} needs a session store, and cookie sessions (\`cookieSessions\`) keep the ` +
        'session in the cookie only. Use `redis` or `store` for this feature.',
    );
  }
}

/**
 * A request changed a monotonic key (`cookieSessions.monotonicKeys`) of a cookie that another
 * request from the same cookie had already moved on from. Nothing was sent: the client keeps the
 * cookie the other request sent.
 */
export class SessionSequenceConflictError extends SessionConflictError {
  static raced(sequence: number): SessionSequenceConflictError {
    return new SessionSequenceConflictError(
      `The cookie session moved on while this request ran (another request from the same ` +
        `cookie changed a monotonic key first; sequence ${sequence} is no longer accepted); ` +
        'nothing was sent. Retry with the current cookie.',
    );
  }
}
