import { SessionCipher } from '../../../security/session-cipher.js';
import { SessionDecryptionError } from '../../../security/security.errors.js';
import type { SessionKey } from '../../../security/session-token.js';
import {
  type CommitResult,
  type DestroyOptions,
  type HeldSessionLock,
  type IndexChange,
  type IndexResult,
  type LoadOptions,
  type LoadResult,
  type LockSettings,
  type MetadataChange,
  type SessionChange,
  type SessionMetadata,
  SessionStore,
  type SessionStoreCapabilities,
  type SessionStoreObserver,
  type SessionStoreProbe,
  type SessionSummary,
} from '../session-store.js';

/** Metadata sealed like the data: who the user is, where they are, what the session is bound to. */
const SEALED_METADATA = ['principal', 'userAgent', 'clientIp', 'fingerprint'] as const;
type SealedField = (typeof SEALED_METADATA)[number];

/**
 * Data fields this wrapper keeps beside the user's keys (NUL first: no application key looks
 * like them). `RECORD`: the fixed metadata (absolute deadline, creation time, bound to a
 * fingerprint or not); `AUTH`: the signed-in time; `LINK + generation`: the generation a
 * rotation replaced, so values sealed before it still open; `CLEARED`: the copies were dropped
 * by a `clearData` commit without `reseal` (direct store use only).
 */
const RESERVED = '\u0000nds:';
const RECORD = `${RESERVED}s`;
const AUTH = `${RESERVED}t`;
const LINK = `${RESERVED}l:`;
const CLEARED = `${RESERVED}c`;
/** Bound on the rotation links followed per load; far above the rotations of one session. */
const MAX_GENERATIONS = 10_000;

/** What the fixed-metadata record holds. */
interface SessionRecord {
  readonly x: number;
  readonly c: number;
  /** 1 when the session was bound to a fingerprint when the record was written. */
  readonly f: 0 | 1;
}

/**
 * Encrypts what a session holds about its user before it reaches the inner store: every data
 * value and the principal, user agent, client IP and fingerprint metadata (AES-256-GCM, see
 * {@link SessionCipher}). Deadlines, versions and fences stay readable, so the inner store's
 * scripts work unchanged, and the ones security decisions read (absolute deadline, creation and
 * signed-in times, whether a fingerprint is bound) have a sealed copy that must match on load.
 *
 * Each value is bound to its session's tag, its field name and its token generation: the secret
 * hash of the key it was written under. A regeneration (sign-in, sign-out, `regenerate()`)
 * writes the whole session again for the new key, so a value from before it, put back by
 * someone with write access to the store, fails to open. A rotation keeps the generation
 * chain: it records the generation it replaced, sealed for the new one.
 *
 * A session with a value that does not open (altered, put back from an earlier generation,
 * metadata edited, or sealed by a key no longer configured) is reported as a `decrypt` store
 * error and treated as missing: the request goes on with a fresh session instead of failing.
 */
export class EncryptedSessionStore extends SessionStore {
  private readonly cipher: SessionCipher;

  /** @param keys newest first: the first encrypts, every key decrypts */
  constructor(
    readonly inner: SessionStore,
    keys: readonly string[],
  ) {
    super();
    this.cipher = new SessionCipher(keys);
  }

  /** The inner store's: encryption adds or removes no capability. */
  override get capabilities(): SessionStoreCapabilities {
    return this.inner.capabilities;
  }

  override get storeName(): string {
    return this.inner.storeName;
  }

  async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    const result = await this.inner.load(key, options);
    if (result.status !== 'found') return result;
    try {
      const { user, reserved } = splitReserved(result.session.data);
      const accepted = this.generationsOf(key, reserved, result.aliased === true);
      const data: Record<string, string> = {};
      for (const [name, value] of Object.entries(user)) {
        // defineProperty: a data key named `__proto__` stays a key instead of a prototype.
        Object.defineProperty(data, name, {
          value: this.open(value, key, `data\0${name}`, accepted),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      const meta = {
        ...result.session.meta,
        ...this.openFields(key, result.session.meta, accepted),
      };
      this.verifyMetadata(key, meta, reserved, accepted);
      return { ...result, session: { meta, data } };
    } catch (error) {
      this.observer.error('decrypt', error as Error);
      return { status: 'missing' };
    }
  }

  commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    // A regeneration that writes everything again (`reseal`) starts a new generation. Any other
    // move (a rotation, a move by direct store use) links the new generation to this one.
    const regenerating = change.moveTo !== undefined && change.reseal !== undefined;
    const target = regenerating ? change.moveTo! : key;
    const set: Record<string, string> = {};
    const put = (name: string, value: string) =>
      Object.defineProperty(set, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    for (const [name, json] of Object.entries(change.set)) {
      if (name.startsWith(RESERVED)) throw SessionDecryptionError.reservedKey(name);
      put(name, this.seal(json, target, `data\0${name}`));
    }
    const remove = [...change.delete];
    const meta = change.meta;
    const fixed = change.create
      ? { c: change.now, x: change.create.absoluteDeadline }
      : change.reseal && { c: change.reseal.createdAt, x: change.reseal.absoluteDeadline };
    if (fixed) {
      const record: SessionRecord = { ...fixed, f: typeof meta?.fingerprint === 'string' ? 1 : 0 };
      put(RECORD, this.seal(JSON.stringify(record), target, 'record'));
    }
    if (typeof meta?.authenticatedAt === 'number') {
      put(AUTH, this.seal(String(meta.authenticatedAt), target, 'auth'));
    } else if (meta?.authenticatedAt === null) remove.push(AUTH);
    if (change.clearData && !fixed) {
      // Direct store use that drops the data without writing it all again: the copies are gone,
      // and this sealed marker says so. The engine always gives `reseal` with `clearData`.
      put(CLEARED, this.seal('1', target, 'cleared'));
    }
    if (change.moveTo && !regenerating) {
      // Sealed for the new generation, naming the one it replaced.
      put(LINK + generationOf(change.moveTo), this.seal(generationOf(key), change.moveTo, 'link'));
    }
    return this.inner.commit(key, {
      ...change,
      set,
      delete: remove,
      meta: this.sealMetadata(target, meta),
    });
  }

  destroy(key: SessionKey, options?: DestroyOptions): Promise<boolean> {
    return this.inner.destroy(key, options);
  }

  acquireLock(key: SessionKey, settings: LockSettings): Promise<HeldSessionLock> {
    return this.inner.acquireLock(key, settings);
  }

  updateIndex(principalId: string, change: IndexChange): Promise<IndexResult> {
    return this.inner.updateIndex(principalId, change);
  }

  async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    const summaries = await this.inner.describe(keys, options);
    return summaries.map((summary, index) => {
      if (!summary) return undefined;
      try {
        // A list shows, it decides nothing: the generation chain (not in a summary) is not checked.
        return { ...summary, ...this.openFields(keys[index]!, summary, undefined) };
      } catch (error) {
        // Consistent with `load`: a session that does not open is not listed as live.
        this.observer.error('decrypt', error as Error);
        return undefined;
      }
    });
  }

  override probe(): Promise<SessionStoreProbe> {
    return this.inner.probe();
  }

  /** Observers hear the inner store's happenings and this wrapper's decryption failures. */
  override observe(observer: SessionStoreObserver): () => void {
    const own = super.observe(observer);
    const inner = this.inner.observe(observer);
    return () => {
      own();
      inner();
    };
  }

  override ready(timeoutMs: number): Promise<boolean> {
    return this.inner.ready(timeoutMs);
  }

  override close(): Promise<void> {
    return this.inner.close();
  }

  /** `sealed~generation`, bound to the tag, the generation and what the value is. */
  private seal(plaintext: string, key: SessionKey, what: string): string {
    const generation = generationOf(key);
    return `${this.cipher.encrypt(plaintext, contextOf(key, generation, what))}~${generation}`;
  }

  /** Opens a sealed value; with `accepted`, only one sealed for one of those generations. */
  private open(
    value: string,
    key: SessionKey,
    what: string,
    accepted: ReadonlySet<string> | undefined,
  ): string {
    const tilde = value.lastIndexOf('~');
    if (tilde <= 0) throw SessionDecryptionError.malformed();
    const generation = value.slice(tilde + 1);
    // Authenticity first: a value of another session or field is reported as altered or copied.
    const plaintext = this.cipher.decrypt(value.slice(0, tilde), contextOf(key, generation, what));
    if (accepted && !accepted.has(generation)) throw SessionDecryptionError.otherGeneration();
    return plaintext;
  }

  /**
   * The generations whose values belong to the session: this key's, and the ones rotations
   * replaced, link by link. Reached through a rotation's grace pointer (`aliased`), the session
   * lives under a newer key this request does not know: the generations are those of every link
   * chain that leads back to this key's.
   */
  private generationsOf(
    key: SessionKey,
    reserved: ReadonlyMap<string, string>,
    aliased: boolean,
  ): ReadonlySet<string> {
    const chainFrom = (head: string): Set<string> => {
      const chain = new Set<string>();
      let generation: string | undefined = head;
      while (generation !== undefined && !chain.has(generation) && chain.size < MAX_GENERATIONS) {
        chain.add(generation);
        const link = reserved.get(LINK + generation);
        generation =
          link === undefined ? undefined : this.open(link, key, 'link', new Set([generation]));
      }
      return chain;
    };
    const own = generationOf(key);
    if (!aliased) return chainFrom(own);
    const accepted = new Set([own]);
    for (const name of reserved.keys()) {
      if (!name.startsWith(LINK)) continue;
      const chain = chainFrom(name.slice(LINK.length));
      if (chain.has(own)) for (const generation of chain) accepted.add(generation);
    }
    return accepted;
  }

  /** The metadata security decisions read must match its sealed copies. */
  private verifyMetadata(
    key: SessionKey,
    meta: SessionMetadata,
    reserved: ReadonlyMap<string, string>,
    accepted: ReadonlySet<string>,
  ): void {
    const sealedRecord = reserved.get(RECORD);
    const cleared = reserved.get(CLEARED);
    if (sealedRecord === undefined) {
      // Only a `clearData` commit without `reseal` (direct store use) leaves no record.
      if (cleared !== undefined && this.open(cleared, key, 'cleared', accepted) === '1') return;
      throw SessionDecryptionError.metadataMismatch('record');
    }
    const record = JSON.parse(this.open(sealedRecord, key, 'record', accepted)) as SessionRecord;
    if (record.x !== meta.absoluteDeadline) {
      throw SessionDecryptionError.metadataMismatch('absoluteDeadline');
    }
    if (record.c !== meta.createdAt) throw SessionDecryptionError.metadataMismatch('createdAt');
    if (record.f === 1 && meta.fingerprint === undefined) {
      throw SessionDecryptionError.metadataMismatch('fingerprint');
    }
    const auth = reserved.get(AUTH);
    const signedInAt =
      auth === undefined ? undefined : Number(this.open(auth, key, 'auth', accepted));
    if (signedInAt !== meta.authenticatedAt) {
      throw SessionDecryptionError.metadataMismatch('authenticatedAt');
    }
  }

  private openFields(
    key: SessionKey,
    source: Partial<Record<SealedField, string>>,
    accepted: ReadonlySet<string> | undefined,
  ): Partial<Record<SealedField, string>> {
    const opened: Partial<Record<SealedField, string>> = {};
    for (const name of SEALED_METADATA) {
      const value = source[name];
      if (value !== undefined) opened[name] = this.open(value, key, `meta\0${name}`, accepted);
    }
    return opened;
  }

  private sealMetadata(key: SessionKey, meta: MetadataChange | undefined) {
    if (!meta) return meta;
    const sealed: Partial<Record<SealedField, string | null>> = {};
    for (const name of SEALED_METADATA) {
      const value = meta[name];
      // `null` removes the field and `undefined` leaves it: neither is a value to seal.
      if (typeof value === 'string') sealed[name] = this.seal(value, key, `meta\0${name}`);
    }
    return { ...meta, ...sealed };
  }
}

/** The user's data fields and this wrapper's own, apart. */
function splitReserved(data: Readonly<Record<string, string>>) {
  const user: [string, string][] = [];
  const reserved = new Map<string, string>();
  for (const [name, value] of Object.entries(data)) {
    if (name.startsWith(RESERVED)) reserved.set(name, value);
    else user.push([name, value]);
  }
  return { user: Object.fromEntries(user) as Record<string, string>, reserved };
}

/**
 * A key's token generation: the start of its secret hash (96 bits, base64url: no '~'), public like the hash
 * itself (it is in the Redis key name). Regeneration and rotation give a new one.
 */
function generationOf(key: SessionKey): string {
  return key.secretHash.slice(0, 16);
}

/**
 * Associated data of a sealed value: format, tag, generation and what the value is (a data or
 * metadata field by name, the record, the signed-in time, a link). NUL separates the parts, and
 * no tag or generation (base64url) contains it.
 */
function contextOf(key: SessionKey, generation: string, what: string): string {
  return `nds2\0${key.tag}\0${generation}\0${what}`;
}
