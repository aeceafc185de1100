import { MemcacheClient } from 'memcache-client';

/** A value as `gets` returns it: the text and the CAS unique that a `cas` write must match. */
export interface CasValue {
  readonly value: string;
  readonly cas: string;
}

/** Replies that are answers, not failures: the write was refused by the server's rules. */
const REFUSALS = new Set(['EXISTS', 'NOT_FOUND', 'NOT_STORED']);

/**
 * One Memcached server, through one `memcache-client` connection: the few commands the store
 * needs, with refusals as values and only failures (connection, timeout) as errors.
 */
export class MemcachedNode {
  private readonly client: MemcacheClient;

  constructor(
    /** `host:port` */
    readonly address: string,
    commandTimeoutMs: number,
  ) {
    this.client = new MemcacheClient({
      server: { server: address, maxConnections: 1 },
      cmdTimeout: commandTimeoutMs,
      connectTimeout: commandTimeoutMs,
      // Commands sent together (a read behind a write) leave at once instead of after an ACK.
      noDelay: true,
      // Refusals are answers here; the client's own logging of them is noise.
      logger: { debug: noop, info: noop, warn: noop, error: noop },
    });
  }

  async gets(key: string): Promise<CasValue | undefined> {
    const reply = await this.client.gets<string>(key);
    if (!reply) return undefined;
    return { value: String(reply.value), cas: String(reply.casUniq) };
  }

  /** Stores `value` only if `key` does not exist; `false` when it does. */
  async add(key: string, value: string, lifetimeSeconds: number): Promise<boolean> {
    return this.refusable(() => this.client.add(key, value, { lifetime: lifetimeSeconds }));
  }

  async set(key: string, value: string, lifetimeSeconds: number): Promise<void> {
    await this.client.set(key, value, { lifetime: lifetimeSeconds });
  }

  /** Stores `value` only if `key` still has the CAS unique `cas`; `false` otherwise. */
  async cas(key: string, value: string, cas: string, lifetimeSeconds: number): Promise<boolean> {
    return this.refusable(() =>
      this.client.cas(key, value, { casUniq: cas, lifetime: lifetimeSeconds }),
    );
  }

  /** `true` when the key existed. */
  async delete(key: string): Promise<boolean> {
    return this.refusable(() => this.client.delete(key));
  }

  async version(): Promise<string> {
    const reply = await this.client.version();
    return reply.join(' ');
  }

  close(): void {
    this.client.shutdown();
  }

  private async refusable(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof Error && REFUSALS.has(error.message)) return false;
      throw error;
    }
  }
}

function noop(): void {}
