import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { sleep } from '../lock-wait.js';
import { SESSION_SCRIPT_SOURCES, type SessionScriptName } from './redis-scripts.js';

/**
 * Replies a Cluster gives while a slot moves between nodes (or just moved): nothing ran, and the
 * same call succeeds once the migration is over or the client follows the new owner. Redis 7 also
 * refuses a script that touches a key missing from a migrating slot ("non local key").
 */
const SLOT_MOVING =
  /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b|non local key|Too many Cluster redirections/;

/** A script touched a key that a migrating slot lacks on this node. */
const NON_LOCAL_KEY = /non local key/;

/** Whether `error` is a migrating slot's refusal of a script that touched a key it lacks. */
export function isNonLocalKey(error: unknown): boolean {
  return error instanceof Error && NON_LOCAL_KEY.test(error.message);
}

/** The WAIT a write is followed by: replicas to wait for and the longest wait, ms. */
export interface ReplicaWait {
  readonly replicas: number;
  readonly timeoutMs: number;
}

/** A script's reply, and with a WAIT the number of replicas that acknowledged the write. */
export interface ScriptOutcome<T> {
  readonly reply: T;
  /** `undefined` without WAIT; 0 when the WAIT itself failed. */
  readonly replicas?: number;
}

interface RawPipeline {
  evalsha(...args: (string | number)[]): unknown;
  eval(...args: (string | number)[]): unknown;
  wait(replicas: number, timeoutMs: number): unknown;
  exec(): Promise<[Error | null, unknown][] | null>;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

const SHAS = Object.fromEntries(
  Object.entries(SESSION_SCRIPT_SOURCES).map(([name, { lua }]) => [
    name,
    createHash('sha1').update(lua).digest('hex'),
  ]),
) as Record<SessionScriptName, string>;

/**
 * Sends the session scripts: one round trip, or with a {@link ReplicaWait} the script and `WAIT`
 * in one pipeline on one connection, so the WAIT covers exactly that write. ioredis re-sends a
 * script after NOSCRIPT (SCRIPT FLUSH, failover) outside the pipeline, after the WAIT; here the
 * pipeline sends EVALSHA itself and, on NOSCRIPT, sends the pipeline again with EVAL, so the WAIT
 * still follows the write. While a Cluster slot migrates, a call is sent again (slot map
 * refreshed on MOVED) until `retryForMs` has passed.
 */
export class RedisScriptCalls {
  /**
   * Scripts this client has run with a WAIT: sent as EVALSHA. The first is sent as EVAL, so a
   * script Redis has not cached yet costs no wasted WAIT (a NOSCRIPT pipeline still runs its
   * WAIT, for as long as its timeout when replicas are missing).
   */
  private readonly sentWithWait = new Set<SessionScriptName>();

  constructor(
    private readonly client: Redis | Cluster,
    private readonly retryForMs: number,
  ) {}

  async run<T>(
    name: SessionScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
    wait?: ReplicaWait,
    /** Throw a "non local key" refusal at once, for a caller with another way round it. */
    passNonLocalKey = false,
  ): Promise<ScriptOutcome<T>> {
    const giveUpAt = performance.now() + this.retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return wait
          ? await this.withWait<T>(name, keys, args, wait)
          : { reply: await this.plain<T>(name, keys, args) };
      } catch (error) {
        // No attempt starts after the deadline: the caller has answered 503 by then.
        const delay = Math.min(100, 10 * attempt);
        if (!isSlotMoving(error) || performance.now() + delay >= giveUpAt) throw error;
        if (passNonLocalKey && isNonLocalKey(error)) throw error;
        if (/^MOVED\b/.test((error as Error).message) && 'refreshSlotsCache' in this.client) {
          this.client.refreshSlotsCache();
        }
        await sleep(delay);
      }
    }
  }

  private plain<T>(
    name: SessionScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<T> {
    const command = (this.client as unknown as Record<string, ScriptCommand>)[name]!;
    return command.call(this.client, ...keys, ...args) as Promise<T>;
  }

  private async withWait<T>(
    name: SessionScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
    wait: ReplicaWait,
  ): Promise<ScriptOutcome<T>> {
    const source = SESSION_SCRIPT_SOURCES[name];
    const callArgs = [source.numberOfKeys, ...keys, ...args];
    const withSource = () => this.pipeline((p) => p.eval(source.lua, ...callArgs), wait);
    const cached = this.sentWithWait.has(name);
    let replies = cached
      ? await this.pipeline((p) => p.evalsha(SHAS[name], ...callArgs), wait)
      : await withSource();
    if (cached && /NOSCRIPT/.test(replies[0][0]?.message ?? '')) replies = await withSource();
    this.sentWithWait.add(name);
    const [[scriptError, reply], [waitError, acknowledged]] = replies;
    if (scriptError) throw scriptError;
    return { reply: reply as T, replicas: waitError ? 0 : Number(acknowledged) };
  }

  private async pipeline(
    script: (pipeline: RawPipeline) => unknown,
    wait: ReplicaWait,
  ): Promise<[[Error | null, unknown], [Error | null, unknown]]> {
    const pipeline = this.client.pipeline() as unknown as RawPipeline;
    script(pipeline);
    pipeline.wait(wait.replicas, wait.timeoutMs);
    const replies = (await pipeline.exec()) ?? [];
    return [
      replies[0] ?? [new Error('no reply to the script'), undefined],
      replies[1] ?? [new Error('no reply to WAIT'), undefined],
    ];
  }
}

function isSlotMoving(error: unknown): boolean {
  return error instanceof Error && SLOT_MOVING.test(error.message);
}
