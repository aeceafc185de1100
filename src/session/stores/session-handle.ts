import type { SessionKey } from '../../security/session-token.js';

/**
 * The public handle of a session, `tag.secretHash`: what `session.id` shows, what a principal's
 * index holds and what a session list hands out. It names the store key without the secret, so
 * it can revoke a session but never act as its token.
 */
export function handleOf(key: SessionKey): string {
  return `${key.tag}.${key.secretHash}`;
}

/** The store key a handle names; `undefined` for anything that is not `tag.secretHash`. */
export function keyOfHandle(handle: string): SessionKey | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,128})$/.exec(handle);
  return match ? { tag: match[1]!, secretHash: match[2]! } : undefined;
}
