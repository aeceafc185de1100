import { expiresAtOf, isPastDeadline } from '../session-deadlines.js';
import type { SessionKey } from '../../../security/session-token.js';
import { SessionStoreUnavailableError } from '../../session.errors.js';
import { applyChange, createdSession } from '../session-blob/session-blob.js';
import type { CommitResult, SessionChange, StoredSession } from '../session-store.js';
import {
  decodeRecord,
  encodePointer,
  encodeSession,
  lifetimeFor,
  TOMBSTONE,
} from './memcached-record.js';
import type { MemcachedSessions, Resolved } from './memcached-sessions.js';
import { sleep } from '../lock-wait.js';

/**
 * The pause before CAS attempt `attempt` (from the second on): random, up to 2^(attempt-1) ms,
 * at most 50 ms. Retrying at once lets the same writers collide again in lockstep; a jittered,
 * growing pause spreads them, so a burst of writers to one session is served in well under the
 * attempt limit.
 */
function casPause(attempt: number): Promise<void> {
  return sleep(Math.random() * Math.min(50, 2 ** (attempt - 1)));
}

/**
 * Commits on Memcached: each computed from the value read and written with `cas` against it; a
 * lost race is retried on the fresh value (where the version or fence check may then refuse).
 */
export class MemcachedCommits {
  constructor(
    private readonly sessions: MemcachedSessions,
    private readonly maxCasAttempts: number,
  ) {}

  async create(id: string, change: SessionChange, deadline: number): Promise<CommitResult> {
    const node = this.sessions.nodeOf(id);
    const session = createdSession(change, deadline);
    const expiresAt = expiresAtOf(session.meta, change.idleTimeoutMs);
    const value = encodeSession(session);
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt += 1) {
      if (attempt > 1) await casPause(attempt);
      if (await node.add(this.sessions.keyOf(id), value, lifetimeFor(expiresAt - change.now))) {
        return { status: 'committed', version: 1, expiresAt };
      }
      const current = await node.gets(this.sessions.keyOf(id));
      if (!current) continue;
      const record = decodeRecord(current.value);
      const live =
        record.kind === 'session' &&
        !isPastDeadline(record.session.meta, change.now, change.idleTimeoutMs);
      if (live) return { status: 'exists' };
      // A session past its deadline (or a dead pointer) is replaced, not kept.
      if (
        await node.cas(
          this.sessions.keyOf(id),
          value,
          current.cas,
          lifetimeFor(expiresAt - change.now),
        )
      ) {
        return { status: 'committed', version: 1, expiresAt };
      }
    }
    throw contention('commit');
  }

  async update(keyId: string, change: SessionChange): Promise<CommitResult> {
    const { now, idleTimeoutMs } = change;
    for (let attempt = 1; attempt <= this.maxCasAttempts; attempt += 1) {
      if (attempt > 1) await casPause(attempt);
      const found =
        (attempt === 1 && this.sessions.recall(keyId)) || (await this.sessions.resolve(keyId, now));
      if (!found) return { status: 'gone' };
      const stored = found.session.meta;
      if (isPastDeadline(stored, now, idleTimeoutMs)) {
        await this.sessions.nodeOf(found.id).delete(this.sessions.keyOf(found.id));
        return { status: 'gone' };
      }
      if (change.expectedVersion !== undefined && stored.version !== change.expectedVersion) {
        return { status: 'conflict', storedVersion: stored.version };
      }
      if (change.fence !== undefined && stored.fence > change.fence) {
        return { status: 'fenced', storedFence: stored.fence };
      }
      const next = applyChange(found.session, change);
      const expiresAt = expiresAtOf(next.meta, idleTimeoutMs);
      // A rotation that lost the race to a concurrent one stays where that one put the session.
      const moveTo =
        change.moveTo && !(found.aliased && change.rotation) ? idOf(change.moveTo) : undefined;
      const written = moveTo
        ? await this.move(keyId, found, moveTo, next, change)
        : await this.sessions.write(found, next, expiresAt - now);
      if (written) {
        return {
          status: 'committed',
          version: next.meta.version,
          expiresAt,
          ...(found.aliased && { aliased: true }),
        };
      }
    }
    throw contention('commit');
  }

  /**
   * Moves a session (same tag, so the same server): writes the new key, then replaces the old
   * one by a grace pointer or a tombstone with `cas`; when that loses a race the new key is
   * removed again and the commit retried.
   */
  private async move(
    keyId: string,
    found: Resolved,
    target: string,
    next: StoredSession,
    change: SessionChange,
  ): Promise<boolean> {
    const node = this.sessions.nodeOf(target);
    const expiresAt = expiresAtOf(next.meta, change.idleTimeoutMs);
    await node.set(
      this.sessions.keyOf(target),
      encodeSession(next),
      lifetimeFor(expiresAt - change.now),
    );
    const graceMs = found.aliased ? 0 : (change.rotation?.graceMs ?? 0);
    const left = graceMs > 0 ? encodePointer(target, change.now + graceMs) : TOMBSTONE;
    if (
      !(await node.cas(
        this.sessions.keyOf(found.id),
        left,
        found.cas,
        lifetimeFor(Math.max(graceMs, 1000)),
      ))
    ) {
      await node.delete(this.sessions.keyOf(target));
      return false;
    }
    // A regeneration through a grace pointer: the replaced token dies at once, pointer and all.
    if (found.aliased) await node.delete(this.sessions.keyOf(keyId));
    return true;
  }
}

/** The Memcached id of a session key: `tag:secretHash` (the tag picks the server). */
export function idOf(key: SessionKey): string {
  return `${key.tag}:${key.secretHash}`;
}

/** Every CAS attempt lost a race: the request gets 503 and nothing was written. */
export function contention(operation: string): SessionStoreUnavailableError {
  return SessionStoreUnavailableError.because(
    operation,
    new Error('the session kept changing under concurrent writers (CAS attempts exhausted)'),
  );
}
