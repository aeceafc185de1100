import type { Cluster, Redis } from 'ioredis';
import { RedisSessionStore } from '../stores/redis/redis-session-store.js';
import type { SessionStore } from '../stores/session-store.js';
import { withTimeout } from '../stores/with-timeout.js';

/** One round trip: count, and start the window at the first count. */
const GUESS_LUA = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

interface GuessScript {
  sessionGuessCount(key: string, windowMs: number): Promise<number>;
}

const defined = new WeakSet<Redis | Cluster>();

/**
 * Counts unknown tokens per client in Redis, so every instance sees one count: fixed windows of
 * `windowMs` started by the first unknown token, one key per client that expires with its window.
 */
export class SharedGuessCounter {
  private readonly script: GuessScript;

  constructor(
    client: Redis | Cluster,
    private readonly prefix: string,
    private readonly maxAttempts: number,
    private readonly windowMs: number,
    private readonly timeoutMs: number,
  ) {
    if (!defined.has(client)) {
      client.defineCommand('sessionGuessCount', { numberOfKeys: 1, lua: GUESS_LUA });
      defined.add(client);
    }
    this.script = client as unknown as GuessScript;
  }

  /** Counts one unknown token of `client`; `true` when the client is over the limit. */
  async hit(client: string): Promise<boolean> {
    const count = await withTimeout('count unknown token', this.timeoutMs, () =>
      this.script.sessionGuessCount(`${this.prefix}guess:${client}`, this.windowMs),
    );
    return count > this.maxAttempts;
  }
}

/** The Redis store under the wrappers (encryption, near cache), if the store is Redis. */
export function redisStoreOf(store: SessionStore): RedisSessionStore | undefined {
  let current: unknown = store;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof RedisSessionStore) return current;
    // The wrappers keep the store they wrap as `inner` (private on some: read at runtime).
    current = Reflect.get(current, 'inner');
  }
  return undefined;
}
