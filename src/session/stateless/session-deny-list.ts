import type { Cluster, Redis } from 'ioredis';
import { SessionStoreUnavailableError } from '../session.errors.js';
import { LUA_SOURCES } from './lua-sources.js';

const RAISE_LUA = LUA_SOURCES['raise-minimum-sequence.lua'];

/** What the deny-list says of a cookie: it may open, its id was ended, or it is older than allowed. */
export type DenyListVerdict = 'open' | 'ended' | 'stale';

/** The outcome of raising an id's minimum sequence. */
export type RaiseOutcome = 'raised' | 'stale' | 'ended';

/**
 * Ids of ended cookie sessions, in Redis, each kept until its session's absolute deadline (after
 * which the cookie is refused anyway). A sealed cookie cannot be recalled from the client; this
 * is what lets a sign-out end a copy of it. The same entry can instead hold the lowest sequence
 * a cookie of a live session may carry (`monotonicKeys`): older cookies of the id are refused.
 * Entry values: `v<n>` for a minimum sequence, anything else for an ended id.
 */
export class SessionDenyList {
  constructor(
    readonly client: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  /**
   * Whether `sessionId` has an entry: one `EXISTS`. Without `monotonicKeys` every entry ends
   * its id (a floor left by an earlier configuration too).
   */
  async has(sessionId: string): Promise<boolean> {
    try {
      return (await this.client.exists(this.keyOf(sessionId))) === 1;
    } catch (error) {
      throw SessionStoreUnavailableError.because('deny-list check', error);
    }
  }

  /** Whether a cookie of `sessionId` sealed at `sequence` may open: one `GET`. */
  async check(sessionId: string, sequence: number): Promise<DenyListVerdict> {
    let entry: string | null;
    try {
      entry = await this.client.get(this.keyOf(sessionId));
    } catch (error) {
      throw SessionStoreUnavailableError.because('deny-list check', error);
    }
    if (entry === null) return 'open';
    if (!entry.startsWith('v')) return 'ended';
    return sequence >= Number(entry.slice(1)) ? 'open' : 'stale';
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

  /**
   * Refuses every cookie of `sessionId` sealed before `sequence`, until `deadline`: one atomic
   * script. `stale` when a racing request already raised it this far (this one must not send
   * its cookie), `ended` when the id was ended meanwhile.
   */
  async raiseMinimum(sessionId: string, sequence: number, deadline: number): Promise<RaiseOutcome> {
    let reply: unknown;
    try {
      reply = await this.client.eval(RAISE_LUA, 1, this.keyOf(sessionId), sequence, deadline);
    } catch (error) {
      throw SessionStoreUnavailableError.because('deny-list write', error);
    }
    return reply === 1 ? 'raised' : reply === 0 ? 'stale' : 'ended';
  }

  private keyOf(sessionId: string): string {
    return `${this.prefix}deny:${sessionId}`;
  }
}
