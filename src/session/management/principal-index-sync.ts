import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SessionHttpPort } from '../transport/http-port.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import { SessionLimitError } from './management.errors.js';
import { SessionEvents } from '../session-events.js';
import type { SessionState } from '../session-state.js';
import { publicIdOf } from '../../security/session-token.js';
import { type MetadataChange, type SessionKey, SessionStore } from '../stores/session-store.js';
import { PrincipalSessions, principalIdOf } from './principal-sessions.js';
import { summarizeUserAgent } from './user-agent-summary.js';

/** Where a signed-in session stands in its principal's index. */
export interface IndexRef {
  readonly principalId: string;
  readonly key: SessionKey;
  readonly deadline: number;
}

/** The index entry a stored, signed-in session should have; `undefined` for any other. */
export function indexRefOf(state: SessionState): IndexRef | undefined {
  if (!state.stored || !state.meta) return undefined;
  const principalId = principalIdOf(state.meta);
  if (principalId === undefined) return undefined;
  return { principalId, key: state.key, deadline: state.meta.absoluteDeadline };
}

/**
 * Keeps the per-principal index in step with the engine's writes, and enforces the cap on
 * concurrent sessions. A sign-in enters its new key in the index BEFORE the session is signed in
 * (with the cap decided in the same atomic script), and a session leaves the index only AFTER it
 * was destroyed: a signed-in session is never live and unlisted, so revocation always finds it.
 * An ordinary request (same principal, same key) costs no index command; sign-in, sign-out,
 * rotation or regeneration of a signed-in session and destroy cost one (on Cluster the index
 * lives in the principal's slot, not the session's, so it cannot join the commit script).
 */
@Injectable()
export class PrincipalIndexSync {
  private readonly logger = new Logger('SessionModule');

  constructor(
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    private readonly sessions: PrincipalSessions,
  ) {}

  /**
   * Runs before a sign-in writes the session: enters `next` (the key the session is about to
   * get) in the principal's index, with the cap decided atomically (earlier keys of the same
   * session do not count; the caller unlists them once the sign-in committed): at the cap,
   * 'refuse' throws `SessionLimitError` (after dropping members
   * whose sessions are gone, once), 'sign-out-oldest' revokes the oldest others. A store failure
   * throws (the sign-in must not happen unlisted). Returns the metadata the sign-in records.
   */
  async admit(next: IndexRef, port: SessionHttpPort | undefined): Promise<MetadataChange> {
    const { trackClientIp } = this.options.principalSessions;
    // A store without an index (Memcached, express-session stores) keeps none to enter.
    if (this.store.capabilities.principalIndex) await this.enter(next);
    return {
      userAgent: summarizeUserAgent(port?.header('user-agent')),
      ...(trackClientIp && port?.clientAddress !== undefined && { clientIp: port.clientAddress }),
    };
  }

  /** Enters `next` in its principal's index with the cap decided in the same atomic step. */
  private async enter(next: IndexRef): Promise<void> {
    const { limit, onLimit, maxIndexed } = this.options.principalSessions;
    const cap =
      limit !== undefined
        ? { limit, onLimit }
        : { limit: maxIndexed, onLimit: 'sign-out-oldest' as const };
    const change = {
      add: { key: next.key, deadline: next.deadline },
      cap,
      list: false,
    };
    let result = await this.store.updateIndex(next.principalId, { now: Date.now(), ...change });
    if (result.refused) {
      // Members whose sessions ended still count until dropped; drop them and decide again.
      await this.sessions.live(next.principalId, next.key.tag);
      result = await this.store.updateIndex(next.principalId, { now: Date.now(), ...change });
      if (result.refused) throw SessionLimitError.reached(cap.limit);
    }
    if (result.evicted && result.evicted.length > 0) {
      try {
        await this.sessions.revokeEntries(next.principalId, result.evicted);
      } catch (error) {
        await this.withdraw(next);
        throw error;
      }
    }
  }

  /**
   * Takes back the entry of a sign-in that did not happen. A failure is reported, not thrown:
   * the member names no session, and the next listing drops it.
   */
  async withdraw(entry: IndexRef): Promise<void> {
    if (!this.store.capabilities.principalIndex) return;
    try {
      await this.store.updateIndex(entry.principalId, { now: Date.now(), remove: [entry.key] });
    } catch (error) {
      this.report(error);
    }
  }

  /**
   * Moves the index from `before` to `after` (either may be absent) after a committed write
   * (rotation, sign-out, destroy): the new key is added, the old one removed once it no longer
   * names a live session. A failure is reported, not thrown: the session write succeeded, and a
   * stale key still revokes the session (revocation acts on the tag).
   */
  async sync(before: IndexRef | undefined, after: IndexRef | undefined): Promise<void> {
    if (sameEntry(before, after)) return;
    // A store without an index (Memcached, express-session stores) keeps none to update.
    if (!this.store.capabilities.principalIndex) return;
    try {
      const now = Date.now();
      const samePrincipal = before && after && before.principalId === after.principalId;
      if (before && !samePrincipal) {
        await this.store.updateIndex(before.principalId, { now, remove: [before.key] });
      }
      if (!after) return;
      await this.store.updateIndex(after.principalId, {
        now,
        add: { key: after.key, deadline: after.deadline },
        remove: samePrincipal ? [before.key] : [],
        list: false,
      });
    } catch (error) {
      this.report(error);
    }
  }

  private report(error: unknown): void {
    this.logger.error(`The session index of a principal was not updated: ${String(error)}`);
    this.events.emit('store-error', { at: new Date(), operation: 'index', error: error as Error });
  }
}

function sameEntry(a: IndexRef | undefined, b: IndexRef | undefined): boolean {
  if (!a || !b) return a === b;
  return a.principalId === b.principalId && publicIdOf(a.key) === publicIdOf(b.key);
}
