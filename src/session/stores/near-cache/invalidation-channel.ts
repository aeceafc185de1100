import { type Cluster, Redis } from 'ioredis';

/**
 * The near cache's channel on Redis: plain pub/sub, or on Cluster sharded pub/sub (SPUBLISH,
 * SSUBSCRIBE), so that the one master owning the channel's slot orders every message.
 */
export class InvalidationChannel {
  readonly sharded: boolean;

  constructor(
    private readonly client: Redis | Cluster,
    readonly name: string,
  ) {
    this.sharded = 'isCluster' in client && client.isCluster;
  }

  /** A subscriber connection of its own, never retried by ioredis (the bus resubscribes). */
  async openSubscriber(): Promise<Redis> {
    const own = {
      lazyConnect: true,
      enableOfflineQueue: true,
      autoResubscribe: false,
      retryStrategy: () => null,
    };
    if (!this.sharded) return (this.client as Redis).duplicate(own);
    // Sharded pub/sub: subscribe on the master that owns the channel's slot.
    const cluster = this.client as Cluster;
    const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', this.name));
    const ranges = (await cluster.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const owner = ranges.find(([from, to]) => from <= slot && slot <= to)?.[2];
    if (!owner) throw new Error(`no master serves slot ${slot} of the invalidation channel`);
    return new Redis({ ...cluster.options.redisOptions, host: owner[0], port: owner[1], ...own });
  }

  subscribe(subscriber: Redis): Promise<unknown> {
    return this.sharded ? subscriber.ssubscribe(this.name) : subscriber.subscribe(this.name);
  }

  unsubscribe(subscriber: Redis): Promise<unknown> {
    return this.sharded ? subscriber.sunsubscribe(this.name) : subscriber.unsubscribe(this.name);
  }

  /** PUBLISH (SPUBLISH on Cluster); resolves with the number of subscriptions reached. */
  async publish(message: string): Promise<number> {
    const receivers = this.sharded
      ? await (this.client as Cluster).spublish(this.name, message)
      : await (this.client as Redis).publish(this.name, message);
    return Number(receivers);
  }
}
