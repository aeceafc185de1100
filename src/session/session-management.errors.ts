import { SessionError, SessionStoreUnavailableError } from './session.errors.js';

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
