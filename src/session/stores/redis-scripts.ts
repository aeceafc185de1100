import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';

/** Load and commit scripts, read once from their `.lua` files beside this module. */
const LOAD_LUA = readFileSync(new URL('./lua/load.lua', import.meta.url), 'utf8');
const COMMIT_LUA = readFileSync(new URL('./lua/commit.lua', import.meta.url), 'utf8');
const INDEX_LUA = readFileSync(new URL('./lua/principal-index.lua', import.meta.url), 'utf8');
const DESTROY_LUA = readFileSync(new URL('./lua/destroy.lua', import.meta.url), 'utf8');

export type LoadReply = ['missing'] | ['expired'] | ['found', '0' | '1', string[], '0' | '1'];
export type CommitReply =
  | ['committed', number, number, 0 | 1]
  | ['gone']
  | ['exists']
  | ['conflict', number]
  | ['fenced', number];

/** The custom commands `defineCommand` adds: EVALSHA, and EVAL once on NOSCRIPT. */
export interface SessionScripts {
  sessionLoad(key: string, ...args: string[]): Promise<LoadReply>;
  sessionCommit(
    key: string,
    target: string,
    lockKey: string,
    ...args: (string | number)[]
  ): Promise<CommitReply>;
  /** 1 when a session was removed (through a grace pointer too), 0 otherwise. */
  sessionDestroy(key: string, ...args: (string | number)[]): Promise<number>;
  /** `[removed, refused, count, E, E evicted handle/deadline pairs, member pairs...]` */
  sessionIndex(key: string, ...args: (string | number)[]): Promise<(string | number)[]>;
}

const defined = new WeakSet<Redis | Cluster>();

/** Defines the session scripts on a client once; a client passed by the user keeps its own. */
export function withSessionScripts(client: Redis | Cluster): SessionScripts {
  if (!defined.has(client)) {
    client.defineCommand('sessionLoad', { numberOfKeys: 1, lua: LOAD_LUA });
    client.defineCommand('sessionCommit', { numberOfKeys: 3, lua: COMMIT_LUA });
    client.defineCommand('sessionIndex', { numberOfKeys: 1, lua: INDEX_LUA });
    client.defineCommand('sessionDestroy', { numberOfKeys: 1, lua: DESTROY_LUA });
    defined.add(client);
  }
  return client as unknown as SessionScripts;
}
