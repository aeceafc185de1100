import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedLockOptions, ResolvedSessionOptions } from '../resolve-session-options.js';
import type { Session } from '../session.js';
import { SessionEngine } from '../engine/session-engine.js';
import { SessionContext } from '../session-context.js';
import { SessionConflictError } from '../session.errors.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import { stateOf } from '../session-state.js';
import { sleep } from '../stores/lock-wait.js';
import { SessionStoreRequiredError } from '../stateless/stateless.errors.js';

/** Per-call overrides of the module's lock options. */
export type SessionLockSettings = Partial<
  Pick<
    ResolvedLockOptions,
    'durationMs' | 'retryCount' | 'retryDelayMs' | 'retryJitterMs' | 'timeoutStatus' | 'autoExtend'
  >
>;

/** Options of `SessionService.withRetry()`. */
export interface RetryOptions {
  /** Runs of `fn` at most, the first included. @default 5 */
  readonly attempts?: number;
}

/**
 * Serialisable read-modify-write of a session across servers: locked (redlock + fencing) and
 * optimistic (version check + retry).
 */
@Injectable()
export class SessionLocker {
  constructor(
    private readonly engine: SessionEngine,
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly context: SessionContext,
  ) {}

  /**
   * Takes the session's lock, reloads the session under it (raising the fence in the same round
   * trip), runs `work`, commits with the fence and releases the lock, in the commit's own round
   * trip when the store can. A lock taken as the request opened the session (a `@SessionLock()`
   * route) is used as it is: the session was loaded under it. A new session needs no lock:
   * nobody else knows its token yet. Called again from inside its own locked section (a
   * `withLock()` in a `@SessionLock()` route), it is reentrant: the work runs under the lock the
   * section holds and commits with its fence, and the outer section releases the lock.
   */
  async runLocked<T>(
    session: Session,
    work: () => Promise<T>,
    overrides: SessionLockSettings = {},
  ): Promise<T> {
    // Raised even for a new session, so a missing store shows on the first request, not later.
    if (this.options.cookieSessions) throw SessionStoreRequiredError.forOperation('A session lock');
    const state = stateOf(session);
    const withoutLock = async () => {
      const result = await work();
      await this.engine.commit(session);
      return result;
    };
    if (!state.stored || state.destroyed) return withoutLock();
    if (this.context.inLockedSection(session)) {
      const result = await work();
      await this.engine.commitKeepingLock(session);
      return result;
    }
    const settings = { ...this.options.lock, ...overrides };
    const takenAtOpen = state.guard.lockedAtOpen === true && state.guard.lock !== undefined;
    state.guard.lockedAtOpen = false;
    // Not taken at open: the lock and the reload under it, in one round trip where the store can.
    const lock = takenAtOpen ? state.guard.lock : await this.engine.reloadLocked(session, settings);
    // The session went meanwhile (expired, destroyed): it is empty now, and nothing to lock.
    if (!lock) return withoutLock();
    const extender = settings.autoExtend
      ? setInterval(
          () => void lock.extend(settings.durationMs).catch(() => undefined),
          settings.durationMs / 2,
        )
      : undefined;
    state.guard.lock = lock;
    try {
      const result = await this.context.runLockedSection(session, work);
      await this.engine.commit(session);
      return result;
    } finally {
      clearInterval(extender);
      if (state.guard.lock) await state.guard.lock.release();
      state.guard.lock = undefined;
      state.guard.fence = undefined;
    }
  }

  /**
   * Runs `work` and commits only if nobody changed the session meanwhile; on a conflict, reloads
   * and runs `work` again, up to `attempts` times, with a short random back-off.
   */
  async runOptimistic<T>(
    session: Session,
    work: () => Promise<T>,
    options: RetryOptions = {},
  ): Promise<T> {
    if (this.options.cookieSessions) {
      const operation = 'Optimistic mode (withRetry, @SessionOptimistic())';
      throw SessionStoreRequiredError.forOperation(operation);
    }
    const attempts = options.attempts ?? 5;
    const state = stateOf(session);
    const previous = state.guard.optimistic;
    state.guard.optimistic = true;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await work();
          await this.engine.commit(session);
          return result;
        } catch (error) {
          if (!(error instanceof SessionConflictError) || attempt >= attempts) throw error;
          // Full jitter, growing to 1 s: with the default 5 attempts the pauses stay below 32 ms;
          // a caller allowing many attempts on a hot session gets a herd that spreads out
          // instead of one that retries every few ms and overloads the store.
          await sleep(Math.random() * Math.min(1000, 2 ** attempt));
          await this.engine.reload(session);
        }
      }
    } finally {
      state.guard.optimistic = previous;
    }
  }
}
