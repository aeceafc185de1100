import { SigningKeyring } from '../../security/signing-keyring.js';
import {
  formatSessionToken,
  publicIdOf,
  renewSessionToken,
  type SessionToken,
  sessionKeyOf,
} from '../../security/session-token.js';
import type { SessionSecurity } from '../security/session-security.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { RegenerateOptions, Session } from '../session.js';
import type { SessionPrincipal } from '../session-data.js';
import { SessionError, SessionStateError } from '../session.errors.js';
import type { SessionEvents } from '../session-events.js';
import type { SignInOptions } from '../remember-me/remembered-deadline.js';
import {
  commitInTurn,
  initialState,
  releaseLockTakenAtOpen,
  type SessionState,
  stateOf,
} from '../session-state.js';
import { indexRefOf, type PrincipalIndexSync } from '../management/principal-index-sync.js';
import type {
  LoadResult,
  LockSettings,
  SessionChange,
  SessionStore,
} from '../stores/session-store.js';
import type { SessionHttpPort } from '../transport/http-port.js';
import { applyCommitted, refusalOf } from './commit-results.js';
import { presentedSessionToken } from './presented-session-token.js';
import type { RegenerateOutcome, SessionBackend } from './session-backend.js';
import type { SessionFactory } from './session-factory.js';
import type { SessionResponder } from './session-responder.js';
import { emitRegenerated, type MoveOptions, moveToNewToken } from './store-regeneration.js';
import { signInToStore } from './store-sign-in.js';

/** What a store-backed backend works with; shared with the engine. */
export interface StoreBackedParts {
  readonly store: SessionStore;
  readonly events: SessionEvents;
  readonly index: PrincipalIndexSync;
  readonly security: SessionSecurity;
  readonly sessions: SessionFactory;
  readonly responder: SessionResponder;
}

/** The changes a commit writes, found before its one round trip. */
interface PendingWrite {
  readonly set: ReadonlyMap<string, string>;
  readonly remove: readonly string[];
  readonly current: Map<string, string>;
  readonly rotating: boolean;
}

/** Sessions held in a store: every store access is one round trip; no change, no write. */
export class StoreBackedSessions implements SessionBackend {
  private readonly keyring: SigningKeyring;

  constructor(
    private readonly options: ResolvedSessionOptions,
    private readonly parts: StoreBackedParts,
  ) {
    this.keyring = new SigningKeyring(options.secrets);
  }

  async open(port: SessionHttpPort, lock?: LockSettings): Promise<Session> {
    const { events, security, sessions } = this.parts;
    const token = presentedSessionToken(port, this.options, this.keyring, this.parts);
    if (!token) return sessions.fresh(port);
    const loaded = await this.loadToken(token.token, port, lock);
    if (!loaded) {
      events.emit('unknown-token', { at: new Date(), reason: 'unknown' });
      security.countUnknownToken(port);
      return sessions.fresh(port);
    }
    const state = stateOf(loaded);
    if (token.signedWithOldKey) state.cookieDue = true;
    const vetted = security.vet(loaded, port);
    if (vetted !== true && !(await vetted)) {
      await releaseLockTakenAtOpen(state);
      return security.afterMismatch(sessions.fresh(port));
    }
    security.scheduleRotation(state);
    return loaded;
  }

  /**
   * A session by its token; with `lock`, loaded under the session's lock with the fence raised
   * (one round trip where the store can), the lock then held by the session until a commit
   * releases it, or `releaseLockTakenAtOpen`.
   */
  async loadToken(
    token: SessionToken,
    port?: SessionHttpPort,
    lock?: LockSettings,
  ): Promise<Session | undefined> {
    const key = sessionKeyOf(token);
    const { store } = this.parts;
    const locked = lock ? await store.loadLocked(key, lock, this.loadOptions()) : undefined;
    const result = locked ? locked.result : await store.load(key, this.loadOptions());
    if (result.status === 'expired') {
      this.parts.events.emit('expired', { sessionId: publicIdOf(key), at: new Date() });
    }
    if (result.status !== 'found') return undefined;
    const { aliased, slid } = result;
    const state = initialState({ token, key, stored: true, cookieDue: slid, aliased, port });
    if (locked?.lock) {
      state.guard = { lock: locked.lock, fence: result.session.meta.fence, lockedAtOpen: true };
    }
    const session = this.parts.sessions.create(state);
    this.parts.sessions.apply(session, result.session.data, result.session.meta);
    return session;
  }

  commit(session: Session): Promise<void> {
    return this.commitIfChanged(session) ?? Promise.resolve();
  }

  /**
   * As `commit`, but settles at once, returning `undefined`, when there is nothing to write (the
   * common read-only request): no promise, so a response need not wait a tick for it.
   */
  commitIfChanged(session: Session): Promise<void> | undefined {
    const state = stateOf(session);
    if (state.committing) return commitInTurn(state, () => this.commitNow(session, state));
    let write: PendingWrite | undefined;
    try {
      write = this.pendingWrite(session, state);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!write) return undefined;
    const pending = write;
    return commitInTurn(state, () => this.write(state, pending));
  }

  /** Signs in under a new token (see `signInToStore`). */
  signIn(session: Session, principal: SessionPrincipal, options: SignInOptions = {}) {
    const steps = {
      move: (moved: Session, move: MoveOptions) => this.move(moved, { keepData: true }, move),
      commit: (committed: Session) => this.commit(committed),
    };
    return signInToStore(this.options, this.parts.index, steps, session, principal, options);
  }

  regenerate(session: Session, options: RegenerateOptions): Promise<RegenerateOutcome> {
    return this.move(session, options);
  }

  private move(session: Session, options: RegenerateOptions, move: MoveOptions = {}) {
    const send = (state: SessionState) => this.sendToken(state);
    return moveToNewToken(this.options, this.parts, send, session, options, move);
  }

  async reload(session: Session, raiseFence: boolean): Promise<void> {
    const state = stateOf(session);
    if (state.destroyed) throw SessionStateError.destroyed('reload');
    if (!state.stored) return;
    while (state.committing) await state.committing;
    const result = await this.parts.store.load(state.key, { ...this.loadOptions(), raiseFence });
    this.replaceLoaded(session, state, result, raiseFence);
  }

  async reloadLocked(session: Session, settings: LockSettings) {
    const state = stateOf(session);
    if (state.destroyed) throw SessionStateError.destroyed('reload');
    while (state.committing) await state.committing;
    const { store } = this.parts;
    const { result, lock } = await store.loadLocked(state.key, settings, this.loadOptions());
    try {
      this.replaceLoaded(session, state, result, true);
    } catch (error) {
      await lock?.release();
      throw error;
    }
    return lock;
  }

  /** The session as `result` holds it, its unsaved changes dropped; destroyed if not found. */
  private replaceLoaded(
    session: Session,
    state: SessionState,
    result: LoadResult,
    raiseFence: boolean,
  ): void {
    for (const key of Object.keys(session)) delete session[key];
    state.snapshot = new Map();
    state.metaChange = {};
    state.refused = false;
    if (result.status !== 'found') {
      state.destroyed = true;
      this.parts.responder.clear(state);
      return;
    }
    this.parts.sessions.apply(session, result.session.data, result.session.meta);
    if (raiseFence) state.guard.fence = result.session.meta.fence;
  }

  async destroy(session: Session): Promise<void> {
    const state = stateOf(session);
    if (state.destroyed) return;
    while (state.committing) await state.committing;
    if (state.stored) {
      // Revokes the tag too: a rotation racing this destroy cannot keep the session alive.
      await this.parts.store.destroy(state.key, { until: state.meta?.absoluteDeadline });
      await this.parts.index.sync(indexRefOf(state), undefined);
      this.parts.events.emit('destroyed', { sessionId: publicIdOf(state.key), at: new Date() });
    }
    state.destroyed = true;
    this.parts.responder.clear(state);
  }

  private async commitNow(session: Session, state: SessionState): Promise<void> {
    const write = this.pendingWrite(session, state);
    if (write) await this.write(state, write);
  }

  /** What a commit must write now; `undefined` when nothing (a due cookie is sent here). */
  private pendingWrite(session: Session, state: SessionState): PendingWrite | undefined {
    if (state.destroyed || state.refused) return undefined;
    const { set, remove, current } = this.parts.sessions.diff(session, state);
    const metaChanged = Object.keys(state.metaChange).length > 0;
    // A due rotation writes even when nothing else changed; not once the response is on its way.
    const rotating = state.stored && state.rotationDue === true && !state.port?.headersSent;
    const changed = set.size > 0 || remove.length > 0 || metaChanged || rotating;
    if (!state.stored && !changed && !state.touched && !this.options.saveUninitialized) {
      return undefined;
    }
    if (state.stored && !changed && !state.touched) {
      if (state.cookieDue) this.sendToken(state);
      return undefined;
    }
    return { set, remove, current, rotating };
  }

  private async write(state: SessionState, write: PendingWrite): Promise<void> {
    const { set, remove, current, rotating } = write;
    if (!state.stored) this.parts.security.bind(state);
    // A sign-in indexed a new session's deadline from `createAt`: the session gets exactly it.
    const now = (!state.stored && state.createAt) || Date.now();
    const renewed = rotating ? renewSessionToken(state.token) : undefined;
    if (renewed) this.parts.security.stampRotation(state, now);
    // A nested locked section's commit leaves the lock to the section around it.
    const releasing = state.guard.keepLock ? undefined : state.guard.lock;
    const change: SessionChange = {
      now,
      idleTimeoutMs: this.options.idleTimeoutMs,
      create: state.stored
        ? undefined
        : { absoluteDeadline: state.rememberedDeadline ?? now + this.options.absoluteTimeoutMs },
      set: Object.fromEntries(set),
      delete: remove,
      meta: state.metaChange,
      expectedVersion: state.guard.optimistic ? state.meta?.version : undefined,
      fence: state.guard.fence,
      releaseLock: releasing,
      maxBytes: this.options.maxSessionBytes,
      // Same tag, new secret: the same slot, so the move is part of this one script.
      moveTo: renewed && sessionKeyOf(renewed),
      rotation: renewed && { graceMs: this.options.security.rotation?.graceMs ?? 0 },
    };
    const indexBefore = indexRefOf(state);
    const result = await this.parts.store.commit(state.key, change).catch((error: unknown) => {
      // The write may have happened (timeout, replica shortfall): no later commit of this
      // request may retry it (a retried create would find the session and fail with 'exists').
      state.refused = true;
      throw error;
    });
    if (releasing?.releasableByCommit && state.guard.lock === releasing)
      state.guard.lock = undefined;
    if (result.status === 'gone') {
      // Destroy wins: a session destroyed, revoked or expired meanwhile is not brought back.
      state.destroyed = true;
      this.parts.responder.clear(state);
      return;
    }
    if (result.status === 'exists') {
      throw new SessionError('A new session token collided with a stored one; retry.');
    }
    if (result.status !== 'committed') {
      throw refusalOf(state, result, this.options.maxSessionBytes, this.parts.events);
    }
    // Through a grace pointer, a concurrent request replaced the token: never resend it.
    if (result.aliased) state.aliased = true;
    else if (renewed) this.adopt(state, renewed);
    const base = state.meta ?? {
      createdAt: now,
      absoluteDeadline: change.create?.absoluteDeadline ?? now,
      fence: 0,
    };
    applyCommitted(state, result, current, now, base);
    state.touched = false;
    if (!state.stored) {
      state.cookieDue = true;
      this.parts.events.emit('created', { sessionId: publicIdOf(state.key), at: new Date() });
    }
    state.stored = true;
    this.sendToken(state);
    // No index command unless the principal or the key changed (rotation, sign-out); a
    // sign-in entered its key before this commit.
    if (!state.indexAdmitted) await this.parts.index.sync(indexBefore, indexRefOf(state));
  }

  /** The session moved to `token`'s key by a rotation: this request hands the new token out. */
  private adopt(state: SessionState, token: SessionToken): void {
    const previousSessionId = publicIdOf(state.key);
    state.token = token;
    state.key = sessionKeyOf(token);
    state.cookieDue = true;
    emitRegenerated(this.parts.events, state, previousSessionId);
  }

  private sendToken(state: SessionState): void {
    this.parts.responder.send(state, () => this.keyring.sign(formatSessionToken(state.token)));
  }

  private loadOptions() {
    const { idleTimeoutMs, slideAfterMs } = this.options;
    return { now: Date.now(), idleTimeoutMs, slideAfterMs };
  }
}
