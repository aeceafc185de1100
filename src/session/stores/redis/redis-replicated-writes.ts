import { SessionReplicationError } from '../../management/management.errors.js';
import type { SessionStoreObserver } from '../session-store.js';
import type { RedisScriptCalls, ReplicaWait, ScriptOutcome } from './redis-script-calls.js';
import type { SessionScriptName } from './redis-scripts.js';
import type { RedisSessionStoreOptions } from './redis-session-store-options.js';

type ReplicaSettings = Pick<
  RedisSessionStoreOptions,
  'replicaAcks' | 'replicaAckTimeoutMs' | 'onReplicaShortfall'
>;

/**
 * The writing scripts, and with `replicaAcks` a `WAIT` in the same pipeline: a pipeline goes to
 * the node owning its keys' slot, so on Cluster the WAIT reaches the key's master too. Too few
 * replicas fail the write or are reported, as `onReplicaShortfall` says.
 */
export class RedisReplicatedWrites {
  private readonly wait?: ReplicaWait;
  private readonly onReplicaShortfall: 'fail' | 'warn';

  /** @param timeoutMs the command timeout: the WAIT lasts half of it unless said otherwise */
  constructor(
    private readonly calls: RedisScriptCalls,
    timeoutMs: number,
    settings: ReplicaSettings,
    private readonly report: Required<SessionStoreObserver>['replicaShortfall'],
  ) {
    const replicas = settings.replicaAcks ?? 0;
    const waitMs = settings.replicaAckTimeoutMs ?? Math.floor(timeoutMs / 2);
    if (replicas > 0) this.wait = { replicas, timeoutMs: waitMs };
    this.onReplicaShortfall = settings.onReplicaShortfall ?? 'fail';
  }

  /** Runs a writing script; the replica count is checked when `wrote(reply)` says it wrote. */
  async run<T>(
    name: SessionScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
    wrote: (reply: T) => boolean,
  ): Promise<ScriptOutcome<T>> {
    const outcome = await this.calls.run<T>(name, keys, args, this.wait);
    if (!this.wait || outcome.replicas === undefined || !wrote(outcome.reply)) {
      return { reply: outcome.reply, replicas: undefined };
    }
    const requested = this.wait.replicas;
    if (outcome.replicas < requested) {
      if (this.onReplicaShortfall === 'fail') {
        throw SessionReplicationError.shortfall(requested, outcome.replicas);
      }
      this.report({ requested, acknowledged: outcome.replicas });
    }
    return outcome;
  }
}
