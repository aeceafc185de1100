import { SessionCipher } from '../../security/session-cipher.js';
import type { SessionKey } from '../../security/session-token.js';
import {
  type CommitResult,
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
} from './session-store.js';

/** Metadata that says who the user is or where they are: sealed like the data. */
const SEALED_METADATA = ['principal', 'userAgent', 'clientIp'] as const;
type SealedField = (typeof SEALED_METADATA)[number];

/**
 * Encrypts what a session holds about its user before it reaches the inner store: every data
 * value and the principal, user agent and client IP metadata (AES-256-GCM, see
 * {@link SessionCipher}). Deadlines, versions and fences stay readable, so the inner store's
 * scripts work unchanged. Each value is bound to its session's tag (kept across regeneration)
 * and its field name, so values cannot be swapped between sessions or fields.
 *
 * A session with a value that does not open (altered, or sealed by a key no longer configured)
 * is reported as a `decrypt` store error and treated as missing: the request goes on with a fresh
 * session instead of failing.
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
      const data: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.session.data)) {
        // defineProperty: a data key named `__proto__` stays a key instead of a prototype.
        Object.defineProperty(data, name, {
          value: this.cipher.decrypt(value, dataContext(key, name)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      const meta = this.openMetadata(key, result.session.meta);
      return { ...result, session: { meta, data } };
    } catch (error) {
      this.observer.error('decrypt', error as Error);
      return { status: 'missing' };
    }
  }

  commit(key: SessionKey, change: SessionChange): Promise<CommitResult> {
    const set: Record<string, string> = {};
    for (const [name, json] of Object.entries(change.set)) {
      Object.defineProperty(set, name, {
        value: this.cipher.encrypt(json, dataContext(key, name)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return this.inner.commit(key, { ...change, set, meta: this.sealMetadata(key, change.meta) });
  }

  destroy(key: SessionKey): Promise<boolean> {
    return this.inner.destroy(key);
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
        return { ...summary, ...this.openFields(keys[index]!, summary) };
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

  private openMetadata(key: SessionKey, meta: SessionMetadata): SessionMetadata {
    return { ...meta, ...this.openFields(key, meta) };
  }

  private openFields(
    key: SessionKey,
    source: Partial<Record<SealedField, string>>,
  ): Partial<Record<SealedField, string>> {
    const opened: Partial<Record<SealedField, string>> = {};
    for (const name of SEALED_METADATA) {
      const value = source[name];
      if (value !== undefined) opened[name] = this.cipher.decrypt(value, metaContext(key, name));
    }
    return opened;
  }

  private sealMetadata(key: SessionKey, meta: MetadataChange | undefined) {
    if (!meta) return meta;
    const sealed: Partial<Record<SealedField, string | null>> = {};
    for (const name of SEALED_METADATA) {
      const value = meta[name];
      // `null` removes the field and `undefined` leaves it: neither is a value to seal.
      if (typeof value === 'string')
        sealed[name] = this.cipher.encrypt(value, metaContext(key, name));
    }
    return { ...meta, ...sealed };
  }
}

/**
 * Associated data of a data field. The tag, not the whole key: regeneration keeps the tag and
 * moves the hash unchanged, so sealed values stay valid under the new token. NUL separates the
 * parts, and no tag (base64url) contains it.
 */
function dataContext(key: SessionKey, name: string): string {
  return `nds-data\0${key.tag}\0${name}`;
}

function metaContext(key: SessionKey, name: SealedField): string {
  return `nds-meta\0${key.tag}\0${name}`;
}
