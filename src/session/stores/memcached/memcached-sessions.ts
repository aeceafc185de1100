import type { StoredSession } from '../session-store.js';
import type { CasValue, MemcachedNode } from './memcached-node.js';
import { decodeRecord, encodeSession, lifetimeFor } from './memcached-record.js';
import type { RendezvousRing } from './memcached-ring.js';

/** A session as read, with what a `cas` write of it needs. */
export interface Resolved {
  /** Where the session is (the key itself, or where its grace pointer leads). */
  readonly id: string;
  readonly cas: string;
  readonly session: StoredSession;
  readonly aliased: boolean;
}

/** Most loads remembered for the commit that follows them (a bounded map, oldest out first). */
const MAX_HINTS = 10_000;

/**
 * Reading and `cas`-writing sessions on the server their tag hashes to, and the CAS of recent
 * plain loads, so the commit that follows a load is one `cas` instead of `gets` and `cas`.
 */
export class MemcachedSessions {
  private readonly hints = new Map<string, CasValue>();

  constructor(
    private readonly ring: RendezvousRing<MemcachedNode>,
    private readonly prefix: string,
  ) {}

  /** The session at `id`, through a live grace pointer; `undefined` when there is none. */
  async resolve(id: string, now: number): Promise<Resolved | undefined> {
    const node = this.nodeOf(id);
    const current = await node.gets(this.keyOf(id));
    if (!current) return undefined;
    const record = decodeRecord(current.value);
    if (record.kind === 'session')
      return { id, cas: current.cas, session: record.session, aliased: false };
    if (record.kind !== 'pointer' || record.expiresAt <= now) return undefined;
    const target = await node.gets(this.keyOf(record.target));
    if (!target) return undefined;
    const moved = decodeRecord(target.value);
    if (moved.kind !== 'session') return undefined;
    return { id: record.target, cas: target.cas, session: moved.session, aliased: true };
  }

  /** Writes `session` over the value `found` was read from; `false` when it changed meanwhile. */
  write(found: Resolved, session: StoredSession, lifetimeMs: number): Promise<boolean> {
    this.hints.delete(found.id);
    return this.nodeOf(found.id).cas(
      this.keyOf(found.id),
      encodeSession(session),
      found.cas,
      lifetimeFor(lifetimeMs),
    );
  }

  remember(id: string, found: Resolved): void {
    this.rememberRead(id, { value: encodeSession(found.session), cas: found.cas });
  }

  /** Keeps `read`, a value of `id` as the server answered it, for the next commit of `id`. */
  rememberRead(id: string, read: CasValue): void {
    this.hints.delete(id);
    this.hints.set(id, read);
    if (this.hints.size > MAX_HINTS) this.hints.delete(this.hints.keys().next().value!);
  }

  /** The session a recent load of `id` saw, if any (a `cas` proves it is still current). */
  recall(id: string): Resolved | undefined {
    const hint = this.hints.get(id);
    if (!hint) return undefined;
    this.hints.delete(id);
    const record = decodeRecord(hint.value);
    if (record.kind !== 'session') return undefined;
    return { id, cas: hint.cas, session: record.session, aliased: false };
  }

  nodeOf(id: string): MemcachedNode {
    return this.ring.nodeFor(id.slice(0, id.indexOf(':')));
  }

  keyOf(id: string): string {
    return `${this.prefix}${id}`;
  }

  clear(): void {
    this.hints.clear();
  }
}
