import { SessionDecryptionError } from '../../../security/security.errors.js';
import type { SessionKey } from '../../../security/session-token.js';
import { DelegatingSessionStore } from '../delegating-session-store.js';
import type {
  CommitResult,
  LoadOptions,
  LoadResult,
  LockedLoad,
  LockSettings,
  SessionChange,
  SessionStore,
  SessionSummary,
} from '../session-store.js';
import { GenerationSealer, generationOf } from './generation-sealer.js';
import {
  AUTH,
  CLEARED,
  generationsOf,
  LINK,
  RECORD,
  RESERVED,
  type SessionRecord,
  splitReserved,
  verifyMetadata,
} from './reserved-fields.js';

/**
 * Encrypts what a session holds about its user before it reaches the inner store: every data
 * value and the principal, user agent, client IP and fingerprint metadata (AES-256-GCM, see
 * {@link GenerationSealer}). Deadlines, versions and fences stay readable, so the inner store's
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
export class EncryptedSessionStore extends DelegatingSessionStore {
  private readonly sealer: GenerationSealer;

  /** @param keys newest first: the first encrypts, every key decrypts */
  constructor(
    override readonly inner: SessionStore,
    keys: readonly string[],
  ) {
    super(inner);
    this.sealer = new GenerationSealer(keys);
  }

  /** The inner store's: messages name the store that holds the sessions. */
  override get storeName(): string {
    return this.inner.storeName;
  }

  override async load(key: SessionKey, options: LoadOptions): Promise<LoadResult> {
    return this.opened(key, await this.inner.load(key, options));
  }

  /** The inner store's lock and load in one (one round trip on Redis), then opened as `load`. */
  override async loadLocked(
    key: SessionKey,
    settings: LockSettings,
    options: LoadOptions,
  ): Promise<LockedLoad> {
    const { result, lock } = await this.inner.loadLocked(key, settings, options);
    return this.keptIfFound(this.opened(key, result), lock);
  }

  /** A loaded session with every value opened; `missing` when one does not open. */
  private opened(key: SessionKey, result: LoadResult): LoadResult {
    if (result.status !== 'found') return result;
    try {
      const { user, reserved } = splitReserved(result.session.data);
      const accepted = generationsOf(this.sealer, key, reserved, result.aliased === true);
      const data: Record<string, string> = {};
      for (const [name, value] of Object.entries(user)) {
        // defineProperty: a data key named `__proto__` stays a key instead of a prototype.
        Object.defineProperty(data, name, {
          value: this.sealer.open(value, key, `data\0${name}`, accepted),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      const meta = {
        ...result.session.meta,
        ...this.sealer.openFields(key, result.session.meta, accepted),
      };
      verifyMetadata(this.sealer, key, meta, reserved, accepted);
      return { ...result, session: { meta, data } };
    } catch (error) {
      this.observer.error('decrypt', error as Error);
      return { status: 'missing' };
    }
  }

  override commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
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
      put(name, this.sealer.seal(json, target, `data\0${name}`));
    }
    const remove = [...change.delete];
    const meta = change.meta;
    const fixed = change.create
      ? { c: change.now, x: change.create.absoluteDeadline }
      : change.reseal && { c: change.reseal.createdAt, x: change.reseal.absoluteDeadline };
    if (fixed) {
      const record: SessionRecord = { ...fixed, f: typeof meta?.fingerprint === 'string' ? 1 : 0 };
      put(RECORD, this.sealer.seal(JSON.stringify(record), target, 'record'));
    }
    if (typeof meta?.authenticatedAt === 'number') {
      put(AUTH, this.sealer.seal(String(meta.authenticatedAt), target, 'auth'));
    } else if (meta?.authenticatedAt === null) remove.push(AUTH);
    if (change.clearData && !fixed) {
      // Direct store use that drops the data without writing it all again: the copies are gone,
      // and this sealed marker says so. The engine always gives `reseal` with `clearData`.
      put(CLEARED, this.sealer.seal('1', target, 'cleared'));
    }
    if (change.moveTo && !regenerating) {
      // Sealed for the new generation, naming the one it replaced.
      put(
        LINK + generationOf(change.moveTo),
        this.sealer.seal(generationOf(key), change.moveTo, 'link'),
      );
    }
    return this.inner.commit(key, {
      ...change,
      set,
      delete: remove,
      meta: this.sealer.sealMetadata(target, meta),
    });
  }

  override async describe(
    keys: readonly SessionKey[],
    options: { readonly now: number; readonly idleTimeoutMs: number },
  ): Promise<(SessionSummary | undefined)[]> {
    const summaries = await this.inner.describe(keys, options);
    return summaries.map((summary, index) => {
      if (!summary) return undefined;
      try {
        // A list shows, it decides nothing: the generation chain (not in a summary) is not checked.
        return { ...summary, ...this.sealer.openFields(keys[index]!, summary, undefined) };
      } catch (error) {
        // Consistent with `load`: a session that does not open is not listed as live.
        this.observer.error('decrypt', error as Error);
        return undefined;
      }
    });
  }
}
