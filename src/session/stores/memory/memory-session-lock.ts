import { randomBytes } from 'node:crypto';
import { SessionLockTimeoutError } from '../../session.errors.js';
import { nextAttemptDelay, sleep } from '../lock-wait.js';
import type { HeldSessionLock, LockSettings } from '../session-store.js';

interface Grant {
  value: string;
  expiresAt: number;
}

/** Session locks of one process, with the semantics of a single-instance Redis lock. */
export class MemorySessionLocks {
  private readonly grants = new Map<string, Grant>();

  async acquire(id: string, settings: LockSettings): Promise<HeldSessionLock> {
    const value = randomBytes(16).toString('base64url');
    for (let attempt = 0; attempt <= settings.retryCount; attempt++) {
      const current = this.grants.get(id);
      if (!current || current.expiresAt <= Date.now()) {
        this.grants.set(id, { value, expiresAt: Date.now() + settings.durationMs });
        return this.handle(id, value);
      }
      if (attempt < settings.retryCount) {
        await sleep(nextAttemptDelay(settings.retryDelayMs, settings.retryJitterMs));
      }
    }
    throw SessionLockTimeoutError.after(settings.retryCount + 1, settings.timeoutStatus);
  }

  /** Releases `id` if `value` still holds it. */
  release(id: string, value: string): void {
    if (this.grants.get(id)?.value === value) this.grants.delete(id);
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
