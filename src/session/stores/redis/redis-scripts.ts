import type { Cluster, Redis } from 'ioredis';
import { LUA_SOURCES } from './lua/lua-sources.js';

/** Load and commit scripts, inlined from their `.lua` files by scripts/inline-assets.js. */
const LOAD_LUA = LUA_SOURCES['load.lua'];
/** load.lua with the lock taken in front: a locked request's first round trip. */
const LOCK_THEN_LOAD_LUA = [LUA_SOURCES['lock-then-load.lua'], LOAD_LUA].join('\n');
/** commit.lua with its checks (size, writes noted under a lock) in front: one script. */
const COMMIT_LUA = [LUA_SOURCES['commit-checks.lua'], LUA_SOURCES['commit.lua']].join('\n');
const INDEX_LUA = LUA_SOURCES['principal-index.lua'];
const DESTROY_LUA = LUA_SOURCES['destroy.lua'];

export type LoadReply = ['missing'] | ['expired'] | ['found', '0' | '1', string[], '0' | '1'];
/** A load under the lock, or `['locked', PTTL]` when someone else holds the lock. */
export type LockedLoadReply = LoadReply | ['locked', number];
export type CommitReply =
  | ['committed', number, number, 0 | 1, string]
  | ['gone']
  | ['exists']
  | ['conflict', number]
  | ['fenced', number]
  | ['toolarge', number];

/** The custom commands `defineCommand` adds: EVALSHA, and EVAL once on NOSCRIPT. */
export interface SessionScripts {
  sessionLoad(key: string, ...args: string[]): Promise<LoadReply>;
  sessionLockThenLoad(key: string, lockKey: string, ...args: string[]): Promise<LockedLoadReply>;
  sessionCommit(
    key: string,
    target: string,
    lockKey: string,
    ...args: (string | number)[]
  ): Promise<CommitReply>;
  /** `[1 when a session was removed (through a grace pointer too) else 0, ...keys deleted]` */
  sessionDestroy(key: string, ...args: (string | number)[]): Promise<[number, ...string[]]>;
  /** `[removed, refused, count, E, E evicted handle/deadline pairs, member pairs...]` */
  sessionIndex(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
}

/** The source of each script by command name, for pipelines that send EVALSHA/EVAL themselves. */
export const SESSION_SCRIPT_SOURCES = {
  sessionLoad: { lua: LOAD_LUA, numberOfKeys: 1 },
  sessionLockThenLoad: { lua: LOCK_THEN_LOAD_LUA, numberOfKeys: 2 },
  sessionCommit: { lua: COMMIT_LUA, numberOfKeys: 3 },
  sessionIndex: { lua: INDEX_LUA, numberOfKeys: 1 },
  sessionDestroy: { lua: DESTROY_LUA, numberOfKeys: 1 },
} as const;
export type SessionScriptName = keyof typeof SESSION_SCRIPT_SOURCES;

const defined = new WeakSet<Redis | Cluster>();

/** Defines the session scripts on a client once; a client passed by the user keeps its own. */
export function withSessionScripts(client: Redis | Cluster): SessionScripts {
  if (!defined.has(client)) {
    for (const [name, source] of Object.entries(SESSION_SCRIPT_SOURCES)) {
      client.defineCommand(name, source);
    }
    defined.add(client);
  }
  return client as unknown as SessionScripts;
}
