import { SessionError } from '../errors/session-error.js';

export { SessionError };

/** The module's options are wrong; raised at boot, before the app serves anything. */
export class SessionOptionsError extends SessionError {
  static invalid(problems: readonly string[]): SessionOptionsError {
    return new SessionOptionsError(
      `SessionModule options are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

/** The session store could not be reached in time; nothing was written. */
export class SessionStoreUnavailableError extends SessionError {
  override readonly httpStatus = 503;

  static because(operation: string, cause: unknown): SessionStoreUnavailableError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new SessionStoreUnavailableError(
      `The session store did not answer the ${operation} (${reason}); nothing was written. ` +
        'Check that Redis is reachable, or raise `commandTimeoutMs`.',
      { cause },
    );
  }
}

/**
 * The store answered, but refused the operation (a script error, a key of the wrong type):
 * a bug or a server that is not set up as the module expects, not an outage. Nothing was written.
 */
export class SessionStoreRefusedError extends SessionError {
  static because(operation: string, cause: Error): SessionStoreRefusedError {
    return new SessionStoreRefusedError(
      `The session store refused the ${operation} (${cause.message}); nothing was written. ` +
        'Check that no other program writes keys under the session prefix.',
      { cause },
    );
  }
}

/** A session value cannot be stored as JSON (BigInt, a cycle, a function, a symbol). */
export class SessionSerializationError extends SessionError {
  static forKey(key: string, cause: unknown): SessionSerializationError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new SessionSerializationError(
      `Session key "${key}" cannot be serialised to JSON (${reason}); nothing was written. ` +
        'Store plain data: strings, numbers, booleans, null, arrays, plain objects and Dates.',
      { cause },
    );
  }
}

/** The serialised session is larger than `maxSessionBytes`. */
export class SessionTooLargeError extends SessionError {
  override readonly httpStatus = 413;

  static of(bytes: number, limit: number): SessionTooLargeError {
    return new SessionTooLargeError(
      `The session would take ${bytes} bytes, over the limit of ${limit} bytes; nothing was ` +
        'written. Keep large data out of the session, or raise `maxSessionBytes`.',
    );
  }
}

/** The session was changed by another request since it was loaded (optimistic mode). */
export class SessionConflictError extends SessionError {
  override readonly httpStatus = 409;

  static versionMoved(loaded: number, stored: number): SessionConflictError {
    return new SessionConflictError(
      `The session changed while this request ran (loaded version ${loaded}, stored ${stored}); ` +
        'nothing was written. Retry the request, or use `sessionService.withRetry()`.',
    );
  }
}

/** A commit carried a fence older than the stored one: its lock had expired. Nothing was written. */
export class SessionFencedError extends SessionError {
  override readonly httpStatus = 409;

  static staleFence(fence: number): SessionFencedError {
    return new SessionFencedError(
      `The lock of this request (fence ${fence}) expired and another holder has written since; ` +
        'nothing was written. Raise the lock duration or keep locked handlers short.',
    );
  }
}

/** The session lock could not be had within the bounded wait. Nothing ran, nothing was written. */
export class SessionLockTimeoutError extends SessionError {
  constructor(
    message: string,
    /** 423 (Locked) or 503, as the lock options say. */
    override readonly httpStatus: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static after(attempts: number, httpStatus: number, cause?: unknown): SessionLockTimeoutError {
    return new SessionLockTimeoutError(
      `The session is locked by another request; gave up after ${attempts} attempts. Retry ` +
        'later, or raise `lock.retryCount` / `lock.retryDelayMs`.',
      httpStatus,
      { cause },
    );
  }
}

/** A method was used outside the request it needs, or on a session in the wrong state. */
export class SessionStateError extends SessionError {
  static noActiveRequest(method: string): SessionStateError {
    return new SessionStateError(
      `${method} was called outside an HTTP request handled by SessionModule (or on a route ` +
        'marked @SkipSession()). Call it from a controller, guard or interceptor, or pass the ' +
        'request explicitly.',
    );
  }

  static skipped(what: string): SessionStateError {
    return new SessionStateError(
      `${what} on a route marked @SkipSession(): such a route opens no session. Remove ` +
        '@SkipSession() from the route (or its controller) to use the session there.',
    );
  }

  static notOnSockets(decorator: string): SessionStateError {
    return new SessionStateError(
      `${decorator} on a WebSocket message handler: a socket's messages share the session of ` +
        'its handshake, committed per message. Put it on an HTTP route or a GraphQL resolver.',
    );
  }

  static destroyed(action: string): SessionStateError {
    return new SessionStateError(`Cannot ${action}: this session was destroyed in this request.`);
  }
}
