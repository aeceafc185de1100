import { randomBytes } from 'node:crypto';
import { SessionLockTimeoutError } from '../session.errors.js';
import { waitBoundMs } from './lock-wait.js';
import type { HeldSessionLock, LockSettings } from './session-store.js';

interface Grant {
  value: string;
  expiresAt: number;
  /** Set while waiters wait: hands the lock on when the grant expires unreleased. */
  expiry?: NodeJS.Timeout;
}

interface Waiter {
  readonly settings: LockSettings;
  /** Takes the lock handed over: the waiter's own value and grant. */
  readonly take: () => void;
}

/**
 * Session locks of one process, with the semantics of a single-instance Redis lock. Waiters line
 * up per session, and a release (or the expiry of an unreleased grant) hands the lock to the
 * first of them at once: no polling.
 */
export class MemorySessionLocks {
  private readonly grants = new Map<string, Grant>();
  private readonly lines = new Map<string, Waiter[]>();

  acquire(id: string, settings: LockSettings): Promise<HeldSessionLock> {
    const value = randomBytes(16).toString('base64url');
    const current = this.grants.get(id);
    if (!this.lines.has(id) && (!current || current.expiresAt <= Date.now())) {
      this.grant(id, value, settings.durationMs);
      return Promise.resolve(this.handle(id, value));
    }
    return new Promise((resolve, reject) => {
      const line = this.lines.get(id) ?? [];
      this.lines.set(id, line);
      const waiter: Waiter = {
        settings,
        take: () => {
          clearTimeout(timer);
          this.grant(id, value, settings.durationMs);
          resolve(this.handle(id, value));
        },
      };
      const timer = setTimeout(() => {
        const at = line.indexOf(waiter);
        if (at >= 0) line.splice(at, 1);
        if (line.length === 0 && this.lines.get(id) === line) this.lines.delete(id);
        reject(SessionLockTimeoutError.after(1, settings.timeoutStatus));
      }, waitBoundMs(settings));
      line.push(waiter);
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
    const next = line?.shift();
    if (line?.length === 0) this.lines.delete(id);
    next?.take();
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
