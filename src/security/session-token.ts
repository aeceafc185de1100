import { hash } from 'node:crypto';
import { GenerationalMemo } from './generational-memo.js';
import { randomBase64url } from './random-pool.js';

/** Bytes of the random hash tag; it only spreads sessions over Cluster slots, it guards nothing. */
const TAG_BYTES = 9;
/** Bytes of the secret part: 256 bits from the OS CSPRNG, as OWASP asks for session IDs. */
const SECRET_BYTES = 32;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const TAG_LENGTH = Math.ceil((TAG_BYTES * 4) / 3);
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 4) / 3);

/**
 * A session token `tag.secret`. The tag stays for the life of a session (it is the Redis Cluster
 * hash tag, so a session, its lock and its fence share one slot); regeneration replaces the secret.
 */
export interface SessionToken {
  readonly tag: string;
  readonly secret: string;
}

/** Where a session lives in a store: the tag and a hash of the secret, never the secret itself. */
export interface SessionKey {
  readonly tag: string;
  readonly secretHash: string;
}

/** A token with a fresh random tag and secret. */
export function createSessionToken(): SessionToken {
  return { tag: randomBase64url(TAG_BYTES), secret: randomBase64url(SECRET_BYTES) };
}

/** A token that keeps `token`'s tag (same Cluster slot) with a fresh secret. */
export function renewSessionToken(token: SessionToken): SessionToken {
  return { tag: token.tag, secret: randomBase64url(SECRET_BYTES) };
}

export function formatSessionToken(token: SessionToken): string {
  return `${token.tag}.${token.secret}`;
}

/** Parses `tag.secret`; anything else (wrong lengths, other characters) gives `undefined`. */
export function parseSessionToken(value: string): SessionToken | undefined {
  const dot = value.indexOf('.');
  if (dot !== TAG_LENGTH || value.length !== TAG_LENGTH + 1 + SECRET_LENGTH) return undefined;
  const tag = value.slice(0, dot);
  const secret = value.slice(dot + 1);
  if (!BASE64URL.test(tag) || !BASE64URL.test(secret)) return undefined;
  return { tag, secret };
}

/**
 * Hashes of recent secrets: a client presents the same token on every request. The request path
 * asks only for tokens whose cookie signature verified (forged ones cannot fill it), and the
 * process holds those tokens anyway (the signature memo), so this keeps nothing new in memory.
 */
const secretHashes = new GenerationalMemo<string>(4096);

/** The store key of a token: a dump of the store does not hand out live sessions. */
export function sessionKeyOf(token: SessionToken): SessionKey {
  // One-shot hash: no Hash object.
  const secretHash = secretHashes.remember(token.secret, () =>
    hash('sha256', token.secret, 'base64url'),
  );
  return { tag: token.tag, secretHash };
}

/**
 * The public id of a session, `tag.secretHash`: what `session.id` shows, what events and logs
 * carry, what a principal's index holds and what a session list hands out. It names the store
 * key without the secret, so it can revoke a session but never act as its token.
 */
export function publicIdOf(key: SessionKey): string {
  return `${key.tag}.${key.secretHash}`;
}

/** The store key a public id names; `undefined` for anything that is not `tag.secretHash`. */
export function keyOfPublicId(id: string): SessionKey | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,128})$/.exec(id);
  return match ? { tag: match[1]!, secretHash: match[2]! } : undefined;
}
