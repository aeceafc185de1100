import { Cluster, Redis } from 'ioredis';
import { probeRedis } from '../stores/redis/redis-probe.js';
import { waitForReady } from '../stores/wait-for-ready.js';
import {
  type CommitResult,
  type HeldSessionLock,
  type IndexResult,
  type LoadResult,
  SessionStore,
  type SessionStoreProbe,
  type SessionSummary,
} from '../stores/session-store.js';
import { SessionDenyList } from './session-deny-list.js';
import { SessionStoreRequiredError } from './stateless.errors.js';

/** Settings of {@link CookieSessionStore}. */
export interface CookieSessionStoreOptions {
  /** Redis for the deny-list: a URL (the store opens and closes the client) or a client. */
  readonly denyList?: string | Redis | Cluster;
  /** Prefix of the deny-list keys. */
  readonly prefix: string;
  readonly commandTimeoutMs: number;
}

/**
 * The `SessionStore` of cookie sessions: the sessions live in their cookies, so every operation
 * on a stored session (load by token, locks, session lists) raises `SessionStoreRequiredError`.
 * It owns the optional Redis deny-list, so the module waits for it at start-up and closes it
 * at shutdown like any store.
 */
export class CookieSessionStore extends SessionStore {
  /** Ended session ids; `undefined` when no deny-list is configured. */
  readonly denyList?: SessionDenyList;
  private readonly ownsClient: boolean;

  constructor(options: CookieSessionStoreOptions) {
    super();
    const { denyList } = options;
    this.ownsClient = typeof denyList === 'string';
    if (denyList === undefined) return;
    const client =
      typeof denyList === 'string'
        ? new Redis(denyList, {
            // Fail fast, as the session stores do: a request gets 503, not a hung response.
            commandTimeout: options.commandTimeoutMs,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
          })
        : denyList;
    this.denyList = new SessionDenyList(client, options.prefix);
  }

  load(): Promise<LoadResult> {
    return refuse('Loading a session by its token');
  }

  commit(): Promise<CommitResult> {
    return refuse('Writing a session by its token');
  }

  destroy(): Promise<boolean> {
    return refuse('Destroying a session by its token');
  }

  acquireLock(): Promise<HeldSessionLock> {
    return refuse('A session lock (@SessionLock(), withLock())');
  }

  updateIndex(): Promise<IndexResult> {
    return refuse('A per-principal session index (session lists, revocation, principalSessions)');
  }

  describe(): Promise<(SessionSummary | undefined)[]> {
    return refuse('Listing sessions');
  }

  override async probe(): Promise<SessionStoreProbe> {
    if (!this.denyList) return { topology: 'cookie', latencyMs: 0, masters: 0 };
    return probeRedis(this.denyList.client);
  }

  override async ready(timeoutMs: number): Promise<boolean> {
    const client = this.denyList?.client;
    return client ? waitForReady(client, timeoutMs) : true;
  }

  override async close(): Promise<void> {
    const client = this.denyList?.client;
    if (client && this.ownsClient) await client.quit().catch(() => client.disconnect());
  }
}

async function refuse(operation: string): Promise<never> {
  throw SessionStoreRequiredError.forOperation(operation);
}
