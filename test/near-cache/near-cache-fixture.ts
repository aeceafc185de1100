import { Cluster, Redis } from 'ioredis';
import type { SessionKey } from '../../src/security/session-token.js';
import { NearCachedSessionStore } from '../../src/session/stores/near-cache/near-cached-session-store.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import { DelegatingSessionStore } from '../../src/session/stores/delegating-session-store.js';
import type {
  CommitReport,
  DestroyOptions,
  DestroyResult,
  LoadOptions,
  LoadResult,
  SessionChange,
  SessionStore,
} from '../../src/session/stores/session-store.js';

export const IDLE = 60_000;
/** Loads made now never slide (so a cached copy stays servable for the whole test). */
export const loadOptions = (): LoadOptions => ({
  now: Date.now(),
  idleTimeoutMs: IDLE,
  slideAfterMs: IDLE,
});

let counter = 0;
export function newKey(tag = `t${process.pid}x${counter}`): SessionKey {
  counter += 1;
  return { tag, secretHash: `h${counter}${Math.random().toString(36).slice(2)}` };
}

export function setChange(data: Record<string, unknown>, extra: Partial<SessionChange> = {}) {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(data)) set[`.${name}`] = JSON.stringify(value);
  return { now: Date.now(), idleTimeoutMs: IDLE, set, delete: [], ...extra } as SessionChange;
}

export function dataOf(result: LoadResult): Record<string, unknown> | undefined {
  if (result.status !== 'found') return undefined;
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(result.session.data)) {
    data[name.slice(1)] = JSON.parse(value);
  }
  return data;
}

/**
 * A real store with a window that a test can hold open: while `hold` is set, a load runs on Redis
 * and its reply is kept until the test releases it.
 */
export class GatedStore extends DelegatingSessionStore {
  private held?: { arrived: () => void; release: Promise<void> };

  constructor(override readonly inner: SessionStore) {
    super(inner);
  }

  /** Holds the next load's reply; resolves `arrived` once Redis answered. */
  holdNextLoad(): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedPromise = new Promise<void>((resolve) => (arrived = resolve));
    const releasePromise = new Promise<void>((resolve) => (release = resolve));
    this.held = { arrived, release: releasePromise };
    return { arrived: arrivedPromise, release };
  }

  override async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const held = this.held;
    this.held = undefined;
    const result = await this.inner.load(key, options);
    if (held) {
      held.arrived();
      await held.release;
    }
    return result;
  }
  // The reporting variants reach Redis's own (they return the keys written or deleted).
  override commitReporting(key: SessionKey, change: SessionChange): Promise<CommitReport> {
    return this.inner.commitReporting(key, change);
  }
  override destroyReporting(key: SessionKey, options?: DestroyOptions): Promise<DestroyResult> {
    return this.inner.destroyReporting(key, options);
  }
}

/** One app instance: its own client, its Redis store (gated), and the near cache over it. */
export interface Instance {
  readonly client: Redis | Cluster;
  readonly gate: GatedStore;
  readonly store: NearCachedSessionStore;
}

export async function startInstance(
  connect: () => Redis | Cluster,
  prefix: string,
): Promise<Instance> {
  const client = connect();
  const gate = new GatedStore(new RedisSessionStore({ client, prefix }));
  const store = new NearCachedSessionStore(gate, client, { channel: `${prefix}invalidate` });
  await store.ready(10_000);
  return { client, gate, store };
}

export async function stopInstance(instance: Instance): Promise<void> {
  await instance.store.close();
  instance.client.disconnect();
}
