import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { InvalidationChannel } from './invalidation-channel.js';
import { NearCacheInvalidationError } from './near-cache.errors.js';

export interface InvalidationBusOptions {
  readonly channel: string;
  /** Longest wait of a writer for every instance to confirm an invalidation, ms. */
  readonly ackTimeoutMs: number;
  /** Drop these ids, or everything ('*'), from the cache; called in the order Redis sent them. */
  readonly onInvalidate: (ids: readonly string[]) => void;
  /** The subscription went live or was lost: either way the cache must start over. */
  readonly onLiveChange: (live: boolean) => void;
  readonly onError: (operation: string, error: Error) => void;
}

/** What a published invalidation waits for. */
interface Pending {
  /** Subscriptions Redis handed the message to (PUBLISH's reply). */
  receivers?: number;
  /** Instances known when our own copy of the message came back; set then. */
  waitFor?: ReadonlySet<string>;
  /** Instances that dropped the ids (acknowledged), or whose copies are known to be gone. */
  readonly done: Set<string>;
  settle(outcome: 'confirmed' | 'lost'): void;
}

/**
 * The near cache's pub/sub: one ordered channel ({@link InvalidationChannel}) carrying
 * invalidations, their acknowledgements and membership:
 *
 *   `i <from> <seq> <id>...`  drop these ids ('*': everything); every receiver answers `a`
 *   `a <to> <seq> <from>`     `from` has dropped the ids of `to`'s invalidation `seq`
 *   `h <from> <generation>`   `from` subscribed afresh (its cache is empty); it serves only once
 *                             its own `h` came back, i.e. after every message sent before it
 *   `m <from> <generation>`   answer to `h`, so newcomers learn who is there
 *   `b <from>`                `from` closes
 *
 * A writer's `publish` returns once each instance has dropped the ids or provably holds no copy
 * from before the message: it acknowledged, or announced a fresh subscription after it, or left.
 */
export class InvalidationBus {
  /** This instance; random, so that instances never need to be configured. */
  readonly id = randomBytes(9).toString('base64url');
  private live = false;
  private closed = false;
  private generation = 0;
  private seq = 0;
  private backoffMs = 0;
  /** Failed subscribe attempts in a row; reported from the third on (not while booting). */
  private failures = 0;
  private subscriber?: Redis;
  private readonly members = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private liveWaiters: (() => void)[] = [];
  private readonly channel: InvalidationChannel;

  constructor(
    client: Redis | Cluster,
    private readonly options: InvalidationBusOptions,
  ) {
    this.channel = new InvalidationChannel(client, options.channel);
  }

  /** True while the subscription is confirmed: only then may the cache serve or fill. */
  get isLive(): boolean {
    return this.live;
  }

  start(): void {
    void this.connect();
  }

  /** Resolves with `true` once live, or with `false` after `timeoutMs`. */
  whenLive(timeoutMs: number): Promise<boolean> {
    if (this.live) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs).unref();
      this.liveWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Publishes an invalidation and waits until every instance has dropped the ids; resends it
   * when our own subscription drops meanwhile. Rejects with `NearCacheInvalidationError` when
   * that is not confirmed within `ackTimeoutMs`, or when Redis refused the PUBLISH.
   */
  async publish(ids: readonly string[]): Promise<void> {
    const deadline = Date.now() + this.options.ackTimeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (this.closed || left <= 0 || !(await this.whenLive(left))) {
        throw NearCacheInvalidationError.unconfirmed(this.options.ackTimeoutMs, 'not subscribed');
      }
      if ((await this.publishOnce(ids, deadline)) === 'confirmed') return;
    }
  }

  /** Unsubscribes first, so that no message counts this instance once its `b` went out. */
  async close(): Promise<void> {
    this.closed = true;
    const wasLive = this.live;
    const subscriber = this.subscriber;
    this.setLive(false);
    this.subscriber = undefined;
    if (subscriber && wasLive) {
      await this.channel.unsubscribe(subscriber).catch(() => undefined);
      await this.channel.publish(`b ${this.id}`).catch(() => undefined);
    }
    subscriber?.disconnect();
  }

  private async publishOnce(ids: readonly string[], deadline: number): Promise<string> {
    const seq = ++this.seq;
    let settle!: (outcome: 'confirmed' | 'lost' | 'timeout') => void;
    const outcome = new Promise<'confirmed' | 'lost' | 'timeout'>((resolve) => (settle = resolve));
    const pending: Pending = { done: new Set(), settle };
    this.pending.set(seq, pending);
    const timer = setTimeout(() => settle('timeout'), Math.max(0, deadline - Date.now()));
    try {
      pending.receivers = await this.channel.publish(`i ${this.id} ${seq} ${ids.join(' ')}`);
      this.check(pending);
      const result = await outcome;
      if (result === 'timeout') {
        const silent = [...(pending.waitFor ?? [])].filter((member) => !pending.done.has(member));
        // Forget instances that never answered (crashed): later writes do not wait for them.
        for (const member of silent) this.members.delete(member);
        throw NearCacheInvalidationError.unconfirmed(
          this.options.ackTimeoutMs,
          `${pending.done.size} of ${pending.receivers} subscribers confirmed`,
        );
      }
      return result;
    } catch (error) {
      if (error instanceof NearCacheInvalidationError) throw error;
      throw NearCacheInvalidationError.publishFailed(error);
    } finally {
      clearTimeout(timer);
      this.pending.delete(seq);
    }
  }

  private check(pending: Pending): void {
    if (pending.receivers === undefined || pending.waitFor === undefined) return;
    for (const member of pending.waitFor) if (!pending.done.has(member)) return;
    if (pending.done.size >= pending.receivers) pending.settle('confirmed');
  }

  private receive(message: string): void {
    const [kind, from = '', third = '', ...rest] = message.split(' ');
    switch (kind) {
      case 'i':
        this.options.onInvalidate(rest);
        if (from === this.id) this.echoed(Number(third));
        else
          void this.channel
            .publish(`a ${from} ${third} ${this.id}`)
            .catch((e) => this.report('ack', e));
        break;
      case 'a':
        if (from === this.id) this.acknowledged(Number(third), rest[0] ?? '');
        break;
      case 'h':
        if (from === this.id) {
          if (Number(third) === this.generation) this.setLive(true);
          break;
        }
        this.members.add(from);
        // A fresh subscription after our message: its cache started empty after it.
        for (const pending of this.pending.values())
          if (pending.waitFor) this.acknowledge(pending, from);
        if (this.live)
          void this.channel.publish(`m ${this.id} ${this.generation}`).catch(() => undefined);
        break;
      case 'm':
        if (from !== this.id) this.members.add(from);
        break;
      case 'b':
        this.members.delete(from);
        this.replaces(from);
        break;
    }
  }

  /** Our own invalidation came back: everything sent before it has been read, members too. */
  private echoed(seq: number): void {
    const pending = this.pending.get(seq);
    if (!pending) return;
    pending.waitFor = new Set(this.members);
    pending.done.add(this.id);
    this.check(pending);
  }

  /**
   * `from` announced a fresh subscription (`h`) or left (`b`) after our own message came back:
   * whatever subscription of it our message reached, its cache is gone since. This stands in for
   * its acknowledgement, but only for a member we were waiting for: a newcomer must not make up
   * for another subscriber's missing answer.
   */
  private replaces(from: string): void {
    for (const pending of this.pending.values()) {
      if (pending.waitFor?.has(from)) this.acknowledge(pending, from);
    }
  }

  private acknowledged(seq: number, from: string): void {
    const pending = this.pending.get(seq);
    if (pending) this.acknowledge(pending, from);
  }

  private acknowledge(pending: Pending, from: string): void {
    pending.done.add(from);
    this.check(pending);
  }

  private setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    this.options.onLiveChange(live);
    if (live) {
      this.backoffMs = 0;
      this.failures = 0;
      const waiters = this.liveWaiters;
      this.liveWaiters = [];
      waiters.forEach((wake) => wake());
    } else {
      // Acknowledgements may have been sent while we could not hear them: send again.
      for (const pending of this.pending.values()) pending.settle('lost');
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let connection: Redis | undefined;
    try {
      connection = await this.channel.openSubscriber();
      const current = connection;
      if (this.closed) return current.disconnect();
      this.subscriber = current;
      current.on('error', () => undefined); // a lost connection is handled on 'close'
      current.on('close', () => this.lost(current));
      // Cluster: the node dropped our shard subscription (slot moved, master demoted).
      current.on('moved', () => this.lost(current));
      const onMessage = (channel: string, message: string) => {
        if (this.subscriber === current && channel === this.options.channel) this.receive(message);
      };
      current.on('message', onMessage);
      current.on('smessage', onMessage);
      await current.connect();
      await this.channel.subscribe(current);
      if (this.subscriber !== current) return;
      this.generation += 1;
      await this.channel.publish(`h ${this.id} ${this.generation}`);
    } catch (error) {
      this.failures += 1;
      if (!this.closed && this.failures >= 3) this.report('subscribe', error);
      if (connection) this.lost(connection);
      else this.retry();
    }
  }

  private lost(connection: Redis): void {
    if (this.subscriber !== connection) return;
    this.subscriber = undefined;
    connection.disconnect();
    this.setLive(false);
    this.retry();
  }

  private retry(): void {
    if (this.closed) return;
    this.backoffMs = Math.min(Math.max(25, this.backoffMs * 2), 1000);
    setTimeout(() => void this.connect(), this.backoffMs).unref();
  }

  private report(operation: string, error: unknown): void {
    this.options.onError(operation, error instanceof Error ? error : new Error(String(error)));
  }
}
