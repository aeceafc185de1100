import type { SessionHttpPort } from '../transport/http-port.js';
import type { SessionEvents } from '../session-events.js';
import type { SessionStore } from '../stores/session-store.js';
import { addressPrefix } from '../../security/client-address.js';
import type { ResolvedTokenGuessingOptions } from '../../security/resolved-security-options.js';
import { TooManyUnknownTokensError } from '../../security/security.errors.js';
import { redisStoreOf, SharedGuessCounter } from './shared-guess-counter.js';
import { UnknownTokenCounter } from '../../security/unknown-token-counter.js';

/**
 * The `tokenGuessing` limit: counts unknown and forged tokens per client (IPv4 address, IPv6
 * /64), in Redis when the store is Redis and `shared`, else in process memory.
 */
export class TokenGuessing {
  private readonly local: UnknownTokenCounter;
  private readonly shared?: SharedGuessCounter;
  /** Verdicts of shared counts still on their way, per request; settled by `settle()`. */
  private readonly pending = new WeakMap<SessionHttpPort['request'], Promise<boolean>>();

  constructor(
    private readonly options: ResolvedTokenGuessingOptions,
    store: SessionStore,
    prefix: string,
    timeoutMs: number,
    private readonly events: SessionEvents,
  ) {
    this.local = new UnknownTokenCounter(options.maxAttempts, options.windowMs, options.maxClients);
    const redis = options.shared ? redisStoreOf(store) : undefined;
    if (redis) {
      this.shared = new SharedGuessCounter(
        redis.client,
        prefix,
        options.maxAttempts,
        options.windowMs,
        timeoutMs,
      );
    }
  }

  /**
   * Counts one unknown token of the request's client. In memory the verdict is immediate (429
   * thrown here); in Redis it is awaited by `settle()`, before the request goes on.
   */
  count(port: SessionHttpPort): void {
    const { request } = port;
    const client = this.clientOf(port);
    if (!this.shared) {
      if (this.local.hit(client)) throw this.tooMany();
      return;
    }
    const verdict = this.shared.hit(client).catch((error: unknown) => {
      // Redis failed: this request is counted in this process instead (neither open nor closed).
      this.events.emit('store-error', {
        at: new Date(),
        operation: 'count unknown token',
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return this.local.hit(client);
    });
    const earlier = this.pending.get(request);
    this.pending.set(request, earlier ? Promise.all([earlier, verdict]).then(anyOf) : verdict);
  }

  /** Raises 429 when a shared count of this request found its client over the limit. */
  settle(request: SessionHttpPort['request']): Promise<void> | undefined {
    const verdict = this.pending.get(request);
    if (!verdict) return undefined;
    this.pending.delete(request);
    return verdict.then((over) => {
      if (over) throw this.tooMany();
    });
  }

  private clientOf(port: SessionHttpPort): string {
    const address = port.clientAddress ?? 'unknown';
    return addressPrefix(address, this.options.ipv4PrefixLength, this.options.ipv6PrefixLength);
  }

  private tooMany(): TooManyUnknownTokensError {
    return TooManyUnknownTokensError.within(this.options.windowMs);
  }
}

function anyOf(verdicts: boolean[]): boolean {
  return verdicts.some(Boolean);
}
