import { randomBase64url } from '../../../security/random-pool.js';
import type { Cluster, Redis } from 'ioredis';
import Redlock, { type Lock } from 'redlock';
import { LockLines } from '../../locking/lock-lines.js';
import { RedisLockReleases } from '../../locking/redis-lock-releases.js';
import { ReleaseSignals } from '../../locking/release-signals.js';
import { SessionLockTimeoutError } from '../../session.errors.js';
import { hardWaitBoundMs, nextAttemptDelay, waitBoundMs } from '../lock-wait.js';
import type { HeldSessionLock, LockSettings } from '../session-store.js';

/** Takes the lock, or answers how long it is still held (PTTL, ms). */
const ACQUIRE_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
return {0, redis.call('PTTL', KEYS[1])}`;
const EXTEND_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
/** Releases the lock if still held, and tells waiters (as commit.lua does). */
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', KEYS[1], '')
end
return 0`;

interface LockScripts {
  sessionLockAcquire(key: string, value: string, durationMs: number): Promise<[1] | [0, number]>;
  sessionLockExtend(key: string, value: string, durationMs: number): Promise<number>;
  sessionLockRelease(key: string, value: string): Promise<number>;
}

/**
 * One attempt at a lock: granted, with what the attempt read in the same script; or refused, the
 * lock being held `heldForMs` more (PTTL; negative when it has no expiry or just went).
 */
export type LockAttempt<T> =
  { readonly granted: true; readonly payload: T } | { readonly heldForMs: number };

/** What a waiter that takes the lock tells the next waiter of this process. */
interface Handoff {
  /** Releases heard when the lock was taken; the next one frees it. */
  readonly generation: number;
  readonly durationMs: number;
}

/**
 * Session locks. By default the lock lives on the session store's own Redis, in the session's
 * slot (the redlock algorithm with one instance), so a commit can release it in the same round
 * trip; a release PUBLISHes on the lock key, and waiters are woken by it. With several
 * independent masters (`lock.quorum`) redlock takes a quorum of them and releases on its own;
 * waiters are then woken by releases in this process and ask again at the retry delay for others.
 * Either way only one waiter per process and lock asks Redis; the others wait in line here.
 */
export class RedisSessionLocks {
  private readonly scripts?: LockScripts;
  private readonly redlock?: Redlock;
  private readonly releases?: RedisLockReleases;
  private readonly lines = new LockLines<Handoff>();
  /** Quorum mode: releases made by this process. */
  private readonly localReleases = new ReleaseSignals();

  constructor(storeClient: Redis | Cluster, quorumClients?: readonly (Redis | Cluster)[]) {
    const clients = quorumClients && quorumClients.length > 0 ? quorumClients : [storeClient];
    if (clients.length === 1 && clients[0] === storeClient) {
      storeClient.defineCommand('sessionLockAcquire', { lua: ACQUIRE_LUA, numberOfKeys: 1 });
      storeClient.defineCommand('sessionLockExtend', { lua: EXTEND_LUA, numberOfKeys: 1 });
      storeClient.defineCommand('sessionLockRelease', { lua: RELEASE_LUA, numberOfKeys: 1 });
      this.scripts = storeClient as unknown as LockScripts;
      this.releases = new RedisLockReleases(storeClient);
    } else {
      // One attempt per call: the waiting is ours.
      this.redlock = new Redlock(clients, { retryCount: 0 });
    }
  }

  /** Whether the lock lives on the session store's own master (no quorum of others). */
  get onStoreMaster(): boolean {
    return this.scripts !== undefined;
  }

  acquire(resource: string, settings: LockSettings): Promise<HeldSessionLock> {
    if (!this.scripts) {
      return this.inLine(resource, settings, (deadline) =>
        this.contendQuorum(resource, settings, deadline),
      );
    }
    const scripts = this.scripts;
    return this.acquireWith(resource, settings, async (value) => {
      const reply = await scripts.sessionLockAcquire(resource, value, settings.durationMs);
      return reply[0] === 1 ? { granted: true, payload: undefined } : { heldForMs: reply[1] };
    }).then(({ lock }) => lock);
  }

  /**
   * As `acquire`, with `attempt` as the one round trip that asks for the lock: it may read what
   * it needs in the same script once granted (a locked request's load). Lock on the store's own
   * master only ({@link onStoreMaster}).
   */
  acquireWith<T>(
    resource: string,
    settings: LockSettings,
    attempt: (value: string) => Promise<LockAttempt<T>>,
  ): Promise<{ readonly lock: HeldSessionLock; readonly payload: T }> {
    return this.inLine(resource, settings, (deadline, handoff) =>
      this.contend(resource, settings, deadline, handoff, attempt),
    );
  }

  /** One waiter per process and lock asks Redis; the others wait in line here. */
  private async inLine<R>(
    resource: string,
    settings: LockSettings,
    contend: (deadline: number, handoff: Handoff | undefined) => Promise<R>,
  ): Promise<R> {
    const bound = waitBoundMs(settings);
    const turn = await this.lines.enter(resource, bound, Date.now() + hardWaitBoundMs(settings));
    if (turn === 'timeout') throw SessionLockTimeoutError.after(0, settings.timeoutStatus);
    let handoff: Handoff | undefined;
    let took = false;
    try {
      const granted = await contend(turn.deadline, turn.handoff);
      took = true;
      const releases = this.releases;
      if (releases?.listening(resource)) {
        const generation = releases.signals.generation(resource);
        handoff = { generation, durationMs: settings.durationMs };
      }
      return granted;
    } finally {
      this.lines.leave(resource, took, bound, handoff);
    }
  }

  close(): void {
    this.releases?.close();
  }

  /** Single master: ask, and when refused wait for the release to be published. */
  private async contend<T>(
    resource: string,
    settings: LockSettings,
    deadline: number,
    handoff: Handoff | undefined,
    attempt: (value: string) => Promise<LockAttempt<T>>,
  ): Promise<{ readonly lock: HeldSessionLock; readonly payload: T }> {
    const releases = this.releases!;
    const value = randomBase64url(16);
    releases.watch(resource);
    try {
      // The waiter before us in this process just took the lock: no need to ask before it is
      // released (the release, or its expiry, ends the wait).
      if (handoff && releases.listening(resource)) {
        const ms = Math.min(handoff.durationMs, deadline - Date.now());
        await releases.signals.changed(resource, handoff.generation, ms);
      }
      for (let attempts = 1; ; attempts++) {
        const seen = releases.signals.generation(resource);
        const reply = await attempt(value);
        if ('granted' in reply)
          return { lock: this.heldLock(resource, value), payload: reply.payload };
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw SessionLockTimeoutError.after(attempts, settings.timeoutStatus);
        if (!releases.listening(resource)) {
          // A release before the subscription went unheard: ask again once it is confirmed.
          if (await releases.listen(resource, remaining)) continue;
          const poll = nextAttemptDelay(settings.retryDelayMs, settings.retryJitterMs);
          await releases.signals.changed(resource, seen, Math.min(poll, remaining));
          continue;
        }
        // Woken by the release, or when the lock expires unreleased (its holder is gone).
        const heldFor = reply.heldForMs >= 0 ? reply.heldForMs : remaining;
        await releases.signals.changed(resource, seen, Math.min(heldFor, remaining));
      }
    } finally {
      releases.unwatch(resource);
    }
  }

  private heldLock(resource: string, value: string): HeldSessionLock {
    const scripts = this.scripts!;
    return {
      value,
      releasableByCommit: true,
      extend: async (durationMs) => {
        if ((await scripts.sessionLockExtend(resource, value, durationMs)) !== 1) {
          throw new Error('the session lock was lost before it could be extended');
        }
      },
      release: async () => {
        await scripts.sessionLockRelease(resource, value).catch(() => undefined);
      },
    };
  }

  /** Several masters: redlock's quorum, asked again at the retry delay. */
  private async contendQuorum(
    resource: string,
    settings: LockSettings,
    deadline: number,
  ): Promise<HeldSessionLock> {
    const redlock = this.redlock!;
    const signals = this.localReleases;
    signals.watch(resource);
    try {
      for (let attempts = 1; ; attempts++) {
        const seen = signals.generation(resource);
        try {
          return this.quorumLock(resource, await redlock.acquire([resource], settings.durationMs));
        } catch (error) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) {
            throw SessionLockTimeoutError.after(attempts, settings.timeoutStatus, error);
          }
          const poll = nextAttemptDelay(settings.retryDelayMs, settings.retryJitterMs);
          await signals.changed(resource, seen, Math.min(poll, remaining));
        }
      }
    } finally {
      signals.unwatch(resource);
    }
  }

  private quorumLock(resource: string, lock: Lock): HeldSessionLock {
    return {
      value: lock.value,
      releasableByCommit: false,
      extend: async (durationMs) => {
        lock = await lock.extend(durationMs);
      },
      release: async () => {
        await lock.release().catch(() => undefined);
        this.localReleases.notify(resource);
      },
    };
  }
}
