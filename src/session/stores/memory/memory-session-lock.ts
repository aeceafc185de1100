import { randomBase64url } from '../../../security/random-pool.js';
import { SessionLockTimeoutError } from '../../session.errors.js';
import { hardWaitBoundMs, waitBoundMs } from '../lock-wait.js';
import type { HeldSessionLock, LockSettings } from '../session-store.js';

interface Grant {
  value: string;
  expiresAt: number;
  /** Set while waiters wait: hands the lock on when the grant expires unreleased. */
  expiry?: NodeJS.Timeout;
}

interface Waiter {
  /** Takes the lock handed over: the waiter's own value and grant. */
  readonly take: () => void;
}

interface Line {
  readonly waiters: Waiter[];
  /** When the lock last passed to a waiter of this line. */
  progressAt: number;
}

/**
 * Session locks of one process, with the semantics of a single-instance Redis lock. Waiters line
 * up per session, and a release (or the expiry of an unreleased grant) hands the lock to the
 * first of them at once: no polling. A waiter gives up when the lock did not pass to anyone of
 * the line for the wait bound, and never later than the hard bound (see lock-wait.ts).
 */
export class MemorySessionLocks {
  private readonly grants = new Map<string, Grant>();
  private readonly lines = new Map<string, Line>();

  acquire(id: string, settings: LockSettings): Promise<HeldSessionLock> {
    const value = randomBase64url(16);
    const current = this.grants.get(id);
    if (!this.lines.has(id) && (!current || current.expiresAt <= Date.now())) {
      this.grant(id, value, settings.durationMs);
      return Promise.resolve(this.handle(id, value));
    }
    return new Promise((resolve, reject) => {
      const now = Date.now();
      const line = this.lines.get(id) ?? { waiters: [], progressAt: now };
      this.lines.set(id, line);
      const bound = waitBoundMs(settings);
      const hardDeadline = now + hardWaitBoundMs(settings);
      let timer: NodeJS.Timeout;
      const waiter: Waiter = {
        take: () => {
          clearTimeout(timer);
          this.grant(id, value, settings.durationMs);
          resolve(this.handle(id, value));
        },
      };
      const check = () => {
        const until = Math.min(Math.max(now + bound, line.progressAt + bound), hardDeadline);
        if (until > Date.now()) {
          timer = setTimeout(check, until - Date.now());
          return;
        }
        const at = line.waiters.indexOf(waiter);
        if (at >= 0) line.waiters.splice(at, 1);
        if (line.waiters.length === 0 && this.lines.get(id) === line) this.lines.delete(id);
        reject(SessionLockTimeoutError.after(1, settings.timeoutStatus));
      };
      timer = setTimeout(check, Math.min(bound, hardDeadline - now));
      line.waiters.push(waiter);
      this.watchExpiry(id);
    });
  }

  /** Releases `id` if `value` still holds it, and hands it to the first waiter. */
  release(id: string, value: string): void {
    const grant = this.grants.get(id);
    if (grant?.value !== value) return;
    clearTimeout(grant.expiry);
    this.grants.delete(id);
    this.handOn(id);
  }

  private grant(id: string, value: string, durationMs: number): void {
    this.grants.set(id, { value, expiresAt: Date.now() + durationMs });
    if (this.lines.has(id)) this.watchExpiry(id);
  }

  private handOn(id: string): void {
    const line = this.lines.get(id);
    const next = line?.waiters.shift();
    if (!line || !next) return;
    line.progressAt = Date.now();
    if (line.waiters.length === 0) this.lines.delete(id);
    next.take();
  }

  /** A grant that expires unreleased passes to the first waiter then. */
  private watchExpiry(id: string): void {
    const grant = this.grants.get(id);
    if (!grant) {
      this.handOn(id);
      return;
    }
    clearTimeout(grant.expiry);
    grant.expiry = setTimeout(
      () => {
        if (this.grants.get(id) !== grant) return;
        if (grant.expiresAt > Date.now()) return this.watchExpiry(id);
        this.grants.delete(id);
        this.handOn(id);
      },
      Math.max(0, grant.expiresAt - Date.now()),
    );
  }

  private handle(id: string, value: string): HeldSessionLock {
    return {
      value,
      releasableByCommit: true,
      extend: async (durationMs) => {
        const grant = this.grants.get(id);
        if (grant?.value !== value || grant.expiresAt <= Date.now()) {
          throw new Error('the session lock was lost before it could be extended');
        }
        grant.expiresAt = Date.now() + durationMs;
      },
      release: async () => this.release(id, value),
    };
  }
}
