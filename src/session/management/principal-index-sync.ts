import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import { SessionLimitError } from '../session-management.errors.js';
import { SessionEvents } from '../session-events.js';
import type { SessionState } from '../session-state.js';
import { handleOf } from '../stores/session-handle.js';
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
 * concurrent sessions. An ordinary request (same principal, same key) costs no index command;
 * sign-in, sign-out, regeneration of a signed-in session and destroy cost one (on Cluster the
 * index lives in the principal's slot, not the session's, so it cannot join the commit script).
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
   * Runs before a sign-in writes anything: with the 'refuse' policy, throws
   * `SessionLimitError` at the cap. Returns the metadata the sign-in records for session lists.
   */
  async admit(
    principalId: string,
    state: SessionState,
    request: Request | undefined,
  ): Promise<MetadataChange> {
    const { limit, onLimit, trackClientIp } = this.options.principalSessions;
    const already = indexRefOf(state)?.principalId === principalId;
    if (limit !== undefined && onLimit === 'refuse' && !already) {
      const others = await this.sessions.live(principalId, state.stored ? state.key : undefined);
      if (others.length >= limit) throw SessionLimitError.reached(limit);
    }
    return {
      userAgent: summarizeUserAgent(request?.headers['user-agent']),
      ...(trackClientIp && request?.ip !== undefined && { clientIp: request.ip }),
    };
  }

  /**
   * Moves the index from `before` to `after` (either may be absent) after a committed write.
   * A failure is reported, not thrown: the session write itself succeeded.
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
      const { sessions } = await this.store.updateIndex(after.principalId, {
        now,
        add: { key: after.key, deadline: after.deadline },
        remove: samePrincipal ? [before.key] : [],
      });
      const { limit } = this.options.principalSessions;
      if (!samePrincipal && limit !== undefined && sessions.length > limit) {
        await this.signOutOldest(after, limit);
      }
    } catch (error) {
      this.logger.error(`The session index of a principal was not updated: ${String(error)}`);
      this.events.emit('store-error', {
        at: new Date(),
        operation: 'index',
        error: error as Error,
      });
    }
  }

  /** Revokes the principal's oldest sessions (never `kept`) until `limit` remain. */
  private async signOutOldest(kept: IndexRef, limit: number): Promise<void> {
    const others = await this.sessions.live(kept.principalId, kept.key);
    const excess = others.length + 1 - limit;
    if (excess <= 0) return;
    const oldest = [...others]
      .sort((a, b) => a.summary.createdAt - b.summary.createdAt)
      .slice(0, excess)
      .map(({ entry }) => entry.key);
    await this.sessions.revokeKeys(kept.principalId, oldest);
  }
}

function sameEntry(a: IndexRef | undefined, b: IndexRef | undefined): boolean {
  if (!a || !b) return a === b;
  return a.principalId === b.principalId && handleOf(a.key) === handleOf(b.key);
}
