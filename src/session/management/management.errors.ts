import { SessionError, SessionStoreUnavailableError } from '../session.errors.js';

/**
 * A commit reached the master but fewer replicas than `replicaAcks` confirmed it in time, and
 * `onReplicaShortfall` is 'fail'. The write may survive or be lost with the master: the request
 * gets 503 so that the client does not take it as durable.
 */
export class SessionReplicationError extends SessionStoreUnavailableError {
  static shortfall(requested: number, acknowledged: number): SessionReplicationError {
    return new SessionReplicationError(
      `Only ${acknowledged} of ${requested} replicas acknowledged the session commit in time; ` +
        'it may be lost if the master fails. Check replication, raise `replicaAckTimeoutMs`, ' +
        "or set `onReplicaShortfall: 'warn'` to accept such commits.",
    );
  }
}

/** A sign-in was refused: the principal already has as many sessions as allowed. */
export class SessionLimitError extends SessionError {
  override readonly httpStatus = 409;

  static reached(limit: number): SessionLimitError {
    return new SessionLimitError(
      `This account already has ${limit} active sessions; sign one of them out first ` +
        "(or configure principalSessions.onLimit: 'sign-out-oldest').",
    );
  }
}

/**
 * A sign-in lost a race: a concurrent request (a second submit of the same sign-in, a sign-out,
 * a rotation without grace) replaced the session's token first, or the session was revoked
 * meanwhile. Nothing was signed in and the response leaves the cookie alone, so the winner's
 * cookie stays; the client retries with the cookie it now holds.
 */
export class SessionReplacedError extends SessionError {
  override readonly httpStatus = 409;

  static duringSignIn(): SessionReplacedError {
    return new SessionReplacedError(
      'The session was replaced or ended by a concurrent request before this sign-in completed; ' +
        'nothing was signed in. Retry the sign-in with the current session cookie.',
    );
  }
}
