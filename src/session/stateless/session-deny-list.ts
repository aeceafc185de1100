import type { Cluster, Redis } from 'ioredis';
import { SessionStoreUnavailableError } from '../session.errors.js';

/**
 * Ids of ended cookie sessions, in Redis, each kept until its session's absolute deadline (after
 * which the cookie is refused anyway). A sealed cookie cannot be recalled from the client; this
 * is what lets a sign-out end a copy of it.
 */
export class SessionDenyList {
  constructor(
    readonly client: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  /** Whether the session `sessionId` was ended: one `EXISTS`. */
  async has(sessionId: string): Promise<boolean> {
    try {
      return (await this.client.exists(this.keyOf(sessionId))) === 1;
    } catch (error) {
      throw SessionStoreUnavailableError.because('deny-list check', error);
    }
  }

  /** Ends `sessionId` until `deadline` (epoch ms); a deadline already past needs no entry. */
  async add(sessionId: string, deadline: number, now = Date.now()): Promise<void> {
    if (deadline <= now) return;
    try {
      await this.client.set(this.keyOf(sessionId), '1', 'PXAT', deadline);
    } catch (error) {
      throw SessionStoreUnavailableError.because('deny-list write', error);
    }
  }

  private keyOf(sessionId: string): string {
    return `${this.prefix}deny:${sessionId}`;
  }
}
