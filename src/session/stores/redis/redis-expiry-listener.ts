import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';

/**
 * Hears Redis expire session keys (keyspace notifications, `notify-keyspace-events Ex`). On a
 * Cluster every node is subscribed, replicas too: a replica never expires keys itself (it gets
 * a DEL), so it reports nothing until a failover promotes it, and then nothing is missed.
 */
export class RedisExpiryListener {
  private readonly subscribers: Redis[] = [];
  private readonly logger = new Logger('SessionModule');
  private readonly onNode = (node: Redis) =>
    void this.subscribe(node.options.host, node.options.port);

  constructor(
    private readonly client: Redis | Cluster,
    private readonly prefix: string,
    private readonly onExpired: (handle: string) => void,
  ) {}

  async start(): Promise<void> {
    if (this.client instanceof Cluster) {
      this.client.on('+node', this.onNode);
      await Promise.all(
        this.client
          .nodes('all')
          .map((node) => this.subscribe(node.options.host, node.options.port)),
      );
      return;
    }
    // Standalone or Sentinel: a duplicate follows the master through a failover by itself.
    const subscriber = this.client.duplicate({ enableOfflineQueue: true });
    this.subscribers.push(subscriber);
    await this.enable(subscriber);
    this.client.on('ready', () => void this.enable(this.client as Redis));
    await this.listen(subscriber);
  }

  async stop(): Promise<void> {
    if (this.client instanceof Cluster) this.client.off('+node', this.onNode);
    await Promise.all(this.subscribers.map((s) => s.quit().catch(() => s.disconnect())));
    this.subscribers.length = 0;
  }

  private async subscribe(host: string | undefined, port: number | undefined): Promise<void> {
    const options = (this.client as Cluster).options.redisOptions ?? {};
    const subscriber = new Redis({ ...options, host, port, enableOfflineQueue: true });
    this.subscribers.push(subscriber);
    await this.enable(subscriber);
    await this.listen(subscriber);
  }

  /** Turns the notifications on where the server lets us (managed Redis may forbid CONFIG). */
  private async enable(node: Redis): Promise<void> {
    try {
      const [, current = ''] = (await node.config('GET', 'notify-keyspace-events')) as string[];
      const flags = new Set(current);
      if (!(flags.has('E') && (flags.has('x') || flags.has('A')))) {
        await node.config('SET', 'notify-keyspace-events', `${current}Ex`);
      }
    } catch (error) {
      this.logger.warn(
        `Could not enable keyspace notifications (${String(error)}); set ` +
          "notify-keyspace-events to 'Ex' on the server for expiry events.",
      );
    }
  }

  private async listen(subscriber: Redis): Promise<void> {
    subscriber.on('pmessage', (_pattern: string, _channel: string, key: string) => {
      const handle = this.publicIdOf(key);
      if (handle) this.onExpired(handle);
    });
    await subscriber.psubscribe('__keyevent@*__:expired');
  }

  /** `prefix{tag}secretHash` → `tag.secretHash`; other keys (locks, indexes) → undefined. */
  private publicIdOf(key: string): string | undefined {
    if (!key.startsWith(`${this.prefix}{`)) return undefined;
    const match = /^\{([A-Za-z0-9_-]+)\}([A-Za-z0-9_-]+)$/.exec(key.slice(this.prefix.length));
    return match ? `${match[1]}.${match[2]}` : undefined;
  }
}
