import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import type { SessionPrincipal } from '../session-data.js';
import { SessionEvents } from '../session-events.js';
import { deserializeValue } from '../session-serializer.js';
import { handleOf, keyOfHandle } from '../stores/session-handle.js';
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
      const handle = handleOf(entry.key);
      return {
        handle,
        current: handle === currentHandle,
        createdAt: new Date(summary.createdAt),
        lastSeenAt: new Date(summary.lastAccessAt),
        expiresAt: new Date(
          Math.min(summary.lastAccessAt + this.options.idleTimeoutMs, summary.absoluteDeadline),
        ),
        ...(summary.userAgent !== undefined && { userAgent: summary.userAgent }),
        ...(summary.clientIp !== undefined && { clientIp: summary.clientIp }),
      };
    });
  }

  /**
   * Ends the session `handle` if it is one of `principalId`'s: removed from the index and
   * destroyed in the store, so every server refuses it from its next request on. `false` when
   * the handle is not the principal's (or malformed): nothing is touched.
   */
  async revoke(principalId: string, handle: string): Promise<boolean> {
    const key = keyOfHandle(handle);
    if (!key) return false;
    // ZREM first: it both checks ownership and unlinks, in one round trip.
    const { removed } = await this.store.updateIndex(principalId, {
      now: Date.now(),
      remove: [key],
    });
    if (removed === 0) return false;
    const existed = await this.store.destroy(key);
    if (existed) this.emitRevoked(key, principalId);
    return existed;
  }

  /** Revokes every session of the principal except `keep` (a handle); returns how many ended. */
  async revokeAll(principalId: string, keep?: string): Promise<number> {
    const { sessions } = await this.store.updateIndex(principalId, { now: Date.now() });
    const doomed = sessions.map((s) => s.key).filter((key) => handleOf(key) !== keep);
    return this.revokeKeys(principalId, doomed);
  }

  /**
   * The principal's sessions that still exist, earliest deadline first; members whose session
   * is gone are removed from the index in the same pass.
   */
  async live(principalId: string, except?: SessionKey): Promise<LiveSession[]> {
    const now = Date.now();
    const { sessions } = await this.store.updateIndex(principalId, { now });
    const summaries = await this.store.describe(
      sessions.map((s) => s.key),
      { now, idleTimeoutMs: this.options.idleTimeoutMs },
    );
    const live: LiveSession[] = [];
    const dead: SessionKey[] = [];
    sessions.forEach((entry, i) => {
      const summary = summaries[i];
      // Index membership is authoritative (the principal may be encrypted at rest).
      if (summary) live.push({ entry, summary });
      else dead.push(entry.key);
    });
    if (dead.length > 0) await this.store.updateIndex(principalId, { now, remove: dead });
    const skip = except && handleOf(except);
    return live.filter(({ entry }) => handleOf(entry.key) !== skip);
  }

  /** Destroys sessions and unlinks them; returns how many still existed. */
  async revokeKeys(principalId: string, keys: readonly SessionKey[]): Promise<number> {
    if (keys.length === 0) return 0;
    await this.store.updateIndex(principalId, { now: Date.now(), remove: keys });
    const destroyed = await Promise.all(keys.map((key) => this.store.destroy(key)));
    let count = 0;
    destroyed.forEach((existed, i) => {
      if (!existed) return;
      count += 1;
      this.emitRevoked(keys[i]!, principalId);
    });
    return count;
  }

  private emitRevoked(key: SessionKey, principalId: string): void {
    this.events.emit('revoked', { sessionId: handleOf(key), principalId, at: new Date() });
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
