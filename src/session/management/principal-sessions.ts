import { expiresAtOf } from '../stores/session-deadlines.js';
import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import type { SessionPrincipal } from '../session-data.js';
import { SessionEvents } from '../session-events.js';
import { deserializeValue } from '../session-serializer.js';
import { publicIdOf, keyOfPublicId } from '../../security/session-token.js';
import {
  type IndexedSession,
  type SessionKey,
  SessionStore,
  type SessionSummary,
} from '../stores/session-store.js';

/**
 * One session of a principal, as a session list shows it. `handle` names the session for
 * `revokeSession()`; it is the session's public id (`session.id`), never its token.
 */
export interface PrincipalSessionInfo {
  readonly handle: string;
  /** True for the session of the request that asked. */
  readonly current: boolean;
  readonly createdAt: Date;
  /**
   * When the session was last used, to within `slideAfterShare` of the idle window (reads do not
   * write the time on every request).
   */
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
  /** Short summary of the browser that signed in, such as 'Firefox 128 on Linux'. */
  readonly userAgent?: string;
  /** The client IP at sign-in, when `principalSessions.trackClientIp` is on. */
  readonly clientIp?: string;
}

/** A live session of a principal with its index entry. */
interface LiveSession {
  readonly entry: IndexedSession;
  readonly summary: SessionSummary;
}

/**
 * The sessions of one principal, through the per-principal index: list, revoke one, revoke all.
 * Dead members (expired, destroyed) are dropped from the index as they are met.
 */
@Injectable()
export class PrincipalSessions {
  constructor(
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
  ) {}

  /** The principal's live sessions, oldest first; `currentHandle` marks the caller's. */
  async list(principalId: string, currentHandle?: string): Promise<PrincipalSessionInfo[]> {
    const live = await this.live(principalId);
    return live.map(({ entry, summary }) => {
      const handle = publicIdOf(entry.key);
      return {
        handle,
        current: handle === currentHandle,
        createdAt: new Date(summary.createdAt),
        lastSeenAt: new Date(summary.lastAccessAt),
        expiresAt: new Date(expiresAtOf(summary, this.options.idleTimeoutMs)),
        ...(summary.userAgent !== undefined && { userAgent: summary.userAgent }),
        ...(summary.clientIp !== undefined && { clientIp: summary.clientIp }),
      };
    });
  }

  /**
   * Ends the session `handle` if it is one of `principalId`'s: destroyed in the store (its tag
   * revoked, so a token move racing this call does not save it), then removed from the index, so
   * every server refuses it from its next request on. `false` when the handle is not the
   * principal's (or malformed): nothing is touched. A failed destroy throws and leaves the session
   * listed, so a retry can end it.
   */
  async revoke(principalId: string, handle: string): Promise<boolean> {
    const key = keyOfPublicId(handle);
    if (!key) return false;
    const { sessions } = await this.store.updateIndex(principalId, { now: Date.now() });
    const entry = sessions.find((member) => publicIdOf(member.key) === publicIdOf(key));
    if (!entry) return false;
    await this.revokeEntries(principalId, [entry]);
    return true;
  }

  /**
   * Revokes every session of the principal except the one of handle `keep` (and earlier keys of
   * it: same tag); returns how many still existed.
   */
  async revokeAll(principalId: string, keep?: string): Promise<number> {
    const { sessions } = await this.store.updateIndex(principalId, { now: Date.now() });
    const keptTag = keep === undefined ? undefined : keyOfPublicId(keep)?.tag;
    return this.revokeEntries(
      principalId,
      sessions.filter((entry) => entry.key.tag !== keptTag),
    );
  }

  /**
   * The principal's sessions that still exist, earliest deadline first. Members whose session is
   * gone are revoked (their tag: a sign-in that named the member but has not committed yet then
   * fails instead of living unlisted) and removed from the index in the same pass; a gone member
   * of a tag that another member still names (or of `keepTag`, a session signing in) is only
   * unlinked.
   */
  async live(principalId: string, keepTag?: string): Promise<LiveSession[]> {
    const now = Date.now();
    const { sessions } = await this.store.updateIndex(principalId, { now });
    const summaries = await this.store.describe(
      sessions.map((s) => s.key),
      { now, idleTimeoutMs: this.options.idleTimeoutMs },
    );
    const live: LiveSession[] = [];
    const dead: IndexedSession[] = [];
    sessions.forEach((entry, i) => {
      const summary = summaries[i];
      // Index membership is authoritative (the principal may be encrypted at rest).
      if (summary) live.push({ entry, summary });
      else dead.push(entry);
    });
    if (dead.length > 0) {
      const liveTags = new Set(live.map(({ entry }) => entry.key.tag));
      if (keepTag !== undefined) liveTags.add(keepTag);
      const orphans = dead.filter((entry) => !liveTags.has(entry.key.tag));
      await Promise.all(
        orphans.map((entry) => this.store.destroy(entry.key, { until: entry.deadline })),
      );
      await this.store.updateIndex(principalId, { now, remove: dead.map((entry) => entry.key) });
    }
    return live;
  }

  /**
   * Destroys sessions (revoking their tags), then unlinks the ones destroyed: a session is never
   * unlisted while it may still live. Returns how many still existed; a failed destroy is thrown
   * once the others are done, and its session stays listed.
   */
  async revokeEntries(principalId: string, entries: readonly IndexedSession[]): Promise<number> {
    if (entries.length === 0) return 0;
    const outcomes = await Promise.allSettled(
      entries.map((entry) => this.store.destroy(entry.key, { until: entry.deadline })),
    );
    const destroyed = entries.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    if (destroyed.length > 0) {
      await this.unlink(
        principalId,
        destroyed.map((entry) => entry.key),
      );
    }
    let count = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.status !== 'fulfilled' || !outcome.value) return;
      count += 1;
      this.emitRevoked(entries[i]!.key, principalId);
    });
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return count;
  }

  /**
   * Removes members whose sessions are destroyed. A failure is reported, not thrown: the sessions
   * are over, and a dead member is dropped by the next listing.
   */
  private async unlink(principalId: string, keys: readonly SessionKey[]): Promise<void> {
    try {
      await this.store.updateIndex(principalId, { now: Date.now(), remove: keys });
    } catch (error) {
      this.events.emit('store-error', {
        at: new Date(),
        operation: 'index',
        error: error as Error,
      });
    }
  }

  private emitRevoked(key: SessionKey, principalId: string): void {
    this.events.emit('revoked', { sessionId: publicIdOf(key), principalId, at: new Date() });
  }
}

/** The id of the principal a stored session is signed in as. */
export function principalIdOf(summary: { readonly principal?: string }): string | undefined {
  if (!summary.principal) return undefined;
  try {
    return (deserializeValue(summary.principal) as SessionPrincipal).id;
  } catch {
    return undefined;
  }
}
