import { SessionError } from '../session.errors.js';
import type { SessionStoreCapabilities } from '../stores/session-store.js';

/** What each capability is called in messages. */
export const CAPABILITY_NAMES: Readonly<Record<keyof SessionStoreCapabilities, string>> = {
  perKeyMerge: 'per-key merge',
  versions: 'versions (optimistic mode)',
  locks: 'session locks with a fence',
  principalIndex: 'a per-principal session index',
  expiry: 'deadline expiry',
  rotation: 'token rotation with grace pointers',
};

/**
 * The configured store cannot do what was asked (a lock on a store without locks, a session
 * list on a store without a principal index). Nothing was written. Options and decorators that
 * need a missing capability are refused at boot; this is what a call made at run time gets.
 */
export class SessionCapabilityError extends SessionError {
  override readonly httpStatus = 501;

  static missing(
    storeName: string,
    capability: keyof SessionStoreCapabilities,
    operation: string,
  ): SessionCapabilityError {
    return new SessionCapabilityError(
      `${operation} needs ${CAPABILITY_NAMES[capability]}, which the session store ` +
        `${storeName} does not have; nothing was written. Use a store that has it ` +
        '(see the README, "Stores by capability").',
    );
  }
}
