import { Cluster, type Redis } from 'ioredis';
import { ReleaseSignals } from './release-signals.js';

/** How long a channel stays subscribed after its last waiter, for the next burst. */
const LINGER_MS = 2000;

/**
 * Hears lock releases on Redis: the release scripts (commit.lua, the lock's own release)
 * PUBLISH on the lock key's name. One subscriber connection per store, opened at the first wait;
 * a channel is subscribed while this process has a waiter for that lock (and briefly after).
 */
export class RedisLockReleases {
  readonly signals = new ReleaseSignals();
  private subscriber?: Redis | Cluster;
  /** Channels whose SUBSCRIBE Redis confirmed on the current connection. */
  private readonly active = new Set<string>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly lingering = new Map<string, NodeJS.Timeout>();
  /** Raised when the subscriber connection closes: older confirmations no longer count. */
  private connection = 0;
  private closed = false;

  constructor(private readonly client: Redis | Cluster) {}

  watch(channel: string): void {
    this.signals.watch(channel);
    clearTimeout(this.lingering.get(channel));
    this.lingering.delete(channel);
  }

  unwatch(channel: string): void {
    if (!this.signals.unwatch(channel) || !this.active.has(channel)) return;
    this.lingering.set(
      channel,
      setTimeout(() => {
        this.lingering.delete(channel);
        this.active.delete(channel);
        void this.subscriber?.unsubscribe(channel).catch(() => undefined);
      }, LINGER_MS).unref(),
    );
  }

  /** True once a release of `channel` would be heard. */
  listening(channel: string): boolean {
    return this.active.has(channel);
  }

  /** Subscribes to `channel`; false when the subscriber cannot confirm within `ms`. */
  async listen(channel: string, ms: number): Promise<boolean> {
    if (this.active.has(channel)) return true;
    if (this.closed) return false;
    const subscriber = this.subscriber ?? this.open();
    if (subscriber.status !== 'ready' && this.connection > 0) return false;
    let subscribing = this.pending.get(channel);
    if (!subscribing) {
      const connection = this.connection;
      subscribing = subscriber.subscribe(channel).then(
        () => {
          if (connection !== this.connection) return false;
          this.active.add(channel);
          return true;
        },
        () => false,
      );
      this.pending.set(channel, subscribing);
      void subscribing.finally(() => this.pending.delete(channel));
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
    return Promise.race([subscribing, late]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.closed = true;
    this.lingering.forEach((timer) => clearTimeout(timer));
    this.lingering.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.active.clear();
    // Nothing to flush on a subscriber: close at once, also when Redis is already gone.
    subscriber?.disconnect();
  }

  private open(): Redis | Cluster {
    // Channels are subscribed again by the waiters themselves after a reconnect, so that each
    // one knows when its subscription is confirmed.
    const subscriber =
      this.client instanceof Cluster
        ? this.client.duplicate()
        : this.client.duplicate({ autoResubscribe: false });
    subscriber.on('message', (channel: string) => this.signals.notify(channel));
    // Failures show as 'close': waiters then poll until the subscriber is back.
    subscriber.on('error', () => undefined);
    subscriber.on('close', () => {
      this.connection += 1;
      this.active.clear();
      this.signals.notifyAll();
    });
    subscriber.on('ready', () => this.signals.notifyAll());
    this.subscriber = subscriber;
    return subscriber;
  }
}
