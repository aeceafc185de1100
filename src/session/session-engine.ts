import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { cookieAttributesFor, cookieMaxAgeMs } from '../security/cookie-attributes.js';
import { SessionSecurity } from '../security/session-security.js';
import { SigningKeyring } from '../security/signing-keyring.js';
import {
  createSessionToken,
  formatSessionToken,
  parseSessionToken,
  renewSessionToken,
  type SessionKey,
  type SessionToken,
  sessionKeyOf,
} from '../security/session-token.js';
import type { ResolvedSessionOptions } from './resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from './session.internal-constants.js';
import { type RegenerateOptions, Session } from './session.js';
import { SessionCookie } from './session-cookie.js';
import type { SessionPrincipal } from './session-data.js';
import {
  SessionConflictError,
  SessionError,
  SessionFencedError,
  SessionStateError,
  SessionTooLargeError,
} from './session.errors.js';
import { deserializeValue, isSafeKey, serializeValue } from './session-serializer.js';
import { assignStoredData } from './assign-stored-data.js';
import { SessionEvents } from './session-events.js';
import { SessionReplacedError } from './session-management.errors.js';
import { summarizeUserAgent } from './management/user-agent-summary.js';
import { readPresentedTokens } from './transport/read-presented-token.js';
import {
  type IndexRef,
  indexRefOf,
  PrincipalIndexSync,
} from './management/principal-index-sync.js';
import { attachState, initialState, type SessionState, stateOf } from './session-state.js';
import {
  type SessionChange,
  type SessionMetadata,
  SessionStore,
  type StoredSession,
} from './stores/session-store.js';
import { EncryptedSessionStore } from './stores/encrypted/encrypted-session-store.js';
import { CookieSessionStore } from './stateless/cookie-session-store.js';
import { StatelessSessions } from './stateless/stateless-sessions.js';

/**
 * Opens, commits, regenerates and destroys the sessions of requests. Every store access is one
 * round trip; a request that changed nothing writes nothing.
 */
@Injectable()
export class SessionEngine {
  private readonly keyring: SigningKeyring;
  /** Fingerprint binding, rotation, unknown-token counting and CSRF tokens. */
  readonly security: SessionSecurity;
  /** Cookie sessions (`cookieSessions`): open, commit, regenerate and destroy go there. */
  private readonly stateless?: StatelessSessions;
  private readonly operations = {
    save: (session: Session) => this.commit(session),
    reload: (session: Session) => this.reload(session),
    regenerate: async (session: Session, options: RegenerateOptions) => {
      await this.regenerate(session, options);
    },
    destroy: (session: Session) => this.destroy(session),
    cookieOf: (session: Session) => new SessionCookie(this.options.cookie, session.expiresAt),
    principalOf: (session: Session) => this.principalOf(session),
  };

  constructor(
    @Inject(RESOLVED_SESSION_OPTIONS) readonly options: ResolvedSessionOptions,
    readonly store: SessionStore,
    readonly events: SessionEvents,
    private readonly index: PrincipalIndexSync,
  ) {
    this.keyring = new SigningKeyring(options.secrets);
    this.security = new SessionSecurity(options, events, store);
    if (options.cookieSessions) {
      this.stateless = new StatelessSessions(options, options.cookieSessions, {
        security: this.security,
        events,
        denyList: store instanceof CookieSessionStore ? store.denyList : undefined,
        createSession: (state) => this.createSession(state),
        fresh: (response) => this.fresh(response),
        diff: (session, state) => {
          const { set, remove, current } = this.diff(session, state);
          return { current, changed: set.size > 0 || remove.length > 0 };
        },
        clearCookie: (state) => this.clearCookie(state),
      });
    }
  }

  /**
   * The session of a request: loaded when the cookie carries a token signed by the keyring,
   * otherwise a fresh, unsaved one. A forged or malformed cookie costs no store lookup.
   */
  async open(request: Request, response?: Response): Promise<Session> {
    if (this.stateless) return this.stateless.open(request, response);
    const token = this.tokenFromRequest(request);
    if (!token) return this.fresh(response);
    const loaded = await this.loadToken(token.token, response);
    if (!loaded) {
      this.events.emit('unknown-token', { at: new Date(), reason: 'unknown' });
      this.security.countUnknownToken(request);
      return this.fresh(response);
    }
    if (token.signedWithOldKey) stateOf(loaded).cookieDue = true;
    if (!(await this.security.vet(loaded, request))) {
      return this.security.afterMismatch(this.fresh(response));
    }
    this.security.scheduleRotation(stateOf(loaded));
    return loaded;
  }

  /** A session loaded by its raw token (`tag.secret`), for admin code; `undefined` if none. */
  async loadToken(token: SessionToken, response?: Response): Promise<Session | undefined> {
    const key = sessionKeyOf(token);
    const result = await this.store.load(key, this.loadOptions());
    if (result.status === 'expired') {
      this.events.emit('expired', { sessionId: publicIdOf(key), at: new Date() });
    }
    if (result.status !== 'found') return undefined;
    const session = this.createSession(
      initialState({
        token,
        key,
        stored: true,
        cookieDue: result.slid,
        aliased: result.aliased,
        response,
      }),
    );
    this.applyStored(session, result.session);
    return session;
  }

  /** A new, unsaved session; it reaches the store only if something is put in it. */
  fresh(response?: Response): Session {
    const token = createSessionToken();
    return this.createSession(
      initialState({ token, key: sessionKeyOf(token), stored: false, cookieDue: true, response }),
    );
  }

  /** Writes what changed, in one round trip; sets the cookie when it must change. */
  async commit(session: Session): Promise<void> {
    const state = stateOf(session);
    // Two commits of one request never overlap: the second sees what the first wrote.
    while (state.committing) await state.committing;
    const run = this.commitNow(session, state);
    state.committing = run.finally(() => (state.committing = undefined));
    return state.committing;
  }

  /**
   * Sets the principal and regenerates the token: the pre-sign-in token is dead afterwards. The
   * data is kept (a cart filled before signing in stays), unlike `req.session.regenerate()`. The
   * new key enters the principal's index before the session is signed in (cap decided there), so
   * revocation always finds it. A sign-in that loses to a concurrent move or revocation of the
   * session throws `SessionReplacedError` and leaves the cookie alone.
   */
  async signIn(session: Session, principal: SessionPrincipal): Promise<void> {
    const state = stateOf(session);
    if (this.stateless) return this.signInStateless(session, state, principal);
    if (state.destroyed) throw SessionStateError.destroyed('signIn');
    while (state.committing) await state.committing;
    const token = renewSessionToken(state.token);
    const next: IndexRef = {
      principalId: principal.id,
      key: sessionKeyOf(token),
      deadline: state.meta?.absoluteDeadline ?? Date.now() + this.options.absoluteTimeoutMs,
    };
    const before = indexRefOf(state);
    Object.assign(state.metaChange, await this.index.admit(next, state.response?.req));
    state.metaChange.principal = serializeValue('principal', principal);
    state.metaChange.authenticatedAt = Date.now();
    if (!state.stored) state.createAt = next.deadline - this.options.absoluteTimeoutMs;
    state.indexAdmitted = true;
    try {
      const outcome = await this.regenerate(session, { keepData: true }, { token, signIn: true });
      if (outcome !== 'gone' && !state.stored) await this.commit(session);
      if (outcome === 'gone' || state.destroyed) throw SessionReplacedError.duringSignIn();
    } catch (error) {
      state.indexAdmitted = false;
      await this.index.withdraw(next);
      throw error;
    }
    state.indexAdmitted = false;
    // The earlier entry leaves only now: had this sign-in lost, the session stays listed.
    if (before) await this.index.withdraw(before);
    this.emitSignedIn(state, principal);
  }

  private async signInStateless(
    session: Session,
    state: SessionState,
    principal: SessionPrincipal,
  ): Promise<void> {
    const { trackClientIp } = this.options.principalSessions;
    const request = state.response?.req;
    state.metaChange.userAgent = summarizeUserAgent(request?.headers['user-agent']);
    if (trackClientIp && request?.ip !== undefined) state.metaChange.clientIp = request.ip;
    state.metaChange.principal = serializeValue('principal', principal);
    state.metaChange.authenticatedAt = Date.now();
    await this.regenerate(session, { keepData: true });
    if (!state.stored) await this.commit(session);
    this.emitSignedIn(state, principal);
  }

  private emitSignedIn(state: SessionState, principal: SessionPrincipal): void {
    this.events.emit('signed-in', {
      sessionId: publicIdOf(state.key),
      principalId: principal.id,
      at: new Date(),
    });
  }

  /**
   * Removes the principal and regenerates the token. The data goes too unless `keepData: true`,
   * as with passport's logout: nothing a user left (a step-up flag, a profile) reaches the next
   * one to sign in. When a concurrent move (a rotation without grace) took the session away
   * first, the session is destroyed, tag and all, so no token of it stays signed in.
   */
  async signOut(session: Session, options: RegenerateOptions = {}): Promise<void> {
    const state = stateOf(session);
    const principalId = this.principalOf(session)?.id;
    const before = indexRefOf(state);
    state.metaChange.principal = null;
    state.metaChange.authenticatedAt = null;
    const outcome = await this.regenerate(session, { keepData: options.keepData ?? false });
    if (outcome === 'gone') {
      await this.store.destroy(state.key, { until: state.meta?.absoluteDeadline });
      await this.index.sync(before, undefined);
    }
    this.events.emit('signed-out', {
      sessionId: publicIdOf(state.key),
      principalId,
      at: new Date(),
    });
  }

  principalOf(session: Session): SessionPrincipal | undefined {
    const state = stateOf(session);
    const json =
      state.metaChange.principal !== undefined ? state.metaChange.principal : state.meta?.principal;
    return json ? (deserializeValue(json) as SessionPrincipal) : undefined;
  }

  /** The raw token of a session (for the cookie or a response header); never log it. */
  tokenOf(session: Session): string {
    return formatSessionToken(stateOf(session).token);
  }

  private async commitNow(session: Session, state: SessionState): Promise<void> {
    if (this.stateless) return this.stateless.commit(session, state);
    if (state.destroyed || state.refused) return;
    const { set, remove, current } = this.diff(session, state);
    const metaChanged = Object.keys(state.metaChange).length > 0;
    // A due rotation writes even when nothing else changed; not once the response is on its way.
    const rotating = state.stored && state.rotationDue === true && !state.response?.headersSent;
    const changed = set.size > 0 || remove.length > 0 || metaChanged || rotating;
    if (!state.stored && !changed && !state.touched && !this.options.saveUninitialized) return;
    if (state.stored && !changed && !state.touched) {
      if (state.cookieDue) this.sendCookie(state);
      return;
    }
    if (!state.stored) this.security.bind(state);
    // A sign-in indexed a new session's deadline from `createAt`: the session gets exactly it.
    const now = (!state.stored && state.createAt) || Date.now();
    const renewed = rotating ? renewSessionToken(state.token) : undefined;
    if (renewed) this.security.stampRotation(state, now);
    const change: SessionChange = {
      now,
      idleTimeoutMs: this.options.idleTimeoutMs,
      create: state.stored ? undefined : { absoluteDeadline: now + this.options.absoluteTimeoutMs },
      set: Object.fromEntries(set),
      delete: remove,
      meta: state.metaChange,
      expectedVersion: state.guard.optimistic ? state.meta?.version : undefined,
      fence: state.guard.fence,
      releaseLock: state.guard.lock,
      maxBytes: this.options.maxSessionBytes,
      // Same tag, new secret: the same slot, so the move is part of this one script.
      moveTo: renewed && sessionKeyOf(renewed),
      rotation: renewed && { graceMs: this.options.security.rotation?.graceMs ?? 0 },
    };
    const indexBefore = indexRefOf(state);
    const result = await this.store.commit(state.key, change).catch((error: unknown) => {
      // The write may have happened (timeout, replica shortfall): no later commit of this
      // request may retry it (a retried create would find the session and fail with 'exists').
      state.refused = true;
      throw error;
    });
    if (state.guard.lock?.releasableByCommit) state.guard.lock = undefined;
    switch (result.status) {
      case 'committed':
        // Through a grace pointer, a concurrent request replaced the token: never resend it.
        if (result.aliased) state.aliased = true;
        else if (renewed) this.adoptRotatedToken(state, renewed);
        state.snapshot = current;
        state.meta = {
          ...withMetaChange(
            state.meta ?? {
              createdAt: now,
              absoluteDeadline: change.create?.absoluteDeadline ?? now,
              fence: 0,
            },
            state.metaChange,
          ),
          version: result.version,
          lastAccessAt: now,
        };
        state.metaChange = {};
        state.expiresAt = result.expiresAt;
        state.touched = false;
        if (!state.stored) {
          state.cookieDue = true;
          this.events.emit('created', { sessionId: publicIdOf(state.key), at: new Date() });
        }
        state.stored = true;
        this.sendCookie(state);
        // No index command unless the principal or the key changed (rotation, sign-out); a
        // sign-in entered its key before this commit.
        if (!state.indexAdmitted) await this.index.sync(indexBefore, indexRefOf(state));
        return;
      case 'gone':
        // Destroy wins: a session destroyed, revoked or expired meanwhile is not brought back.
        state.destroyed = true;
        this.clearCookie(state);
        return;
      case 'conflict':
        state.refused = true;
        this.emitConflict(state, 'version');
        throw SessionConflictError.versionMoved(state.meta?.version ?? 0, result.storedVersion);
      case 'fenced':
        state.refused = true;
        this.emitConflict(state, 'fence');
        throw SessionFencedError.staleFence(state.guard.fence ?? 0);
      case 'too-large':
        throw SessionTooLargeError.of(result.bytes, this.options.maxSessionBytes);
      case 'exists':
        throw new SessionError('A new session token collided with a stored one; retry.');
    }
  }

  /**
   * Changed and removed keys against the snapshot; checks serialisability and the size limit on
   * this request's own view. Only growth past the limit is refused, so a session already over it
   * (a lowered limit) can still shrink, sign out and regenerate; the store checks the size again
   * on what it holds, which concurrent requests cannot outrun.
   */
  private diff(session: Session, state: SessionState) {
    const current = new Map<string, string>();
    const set = new Map<string, string>();
    let bytes = 0;
    for (const key of Object.keys(session)) {
      const value = session[key];
      if (value === undefined || !isSafeKey(key)) continue;
      const json = serializeValue(key, value);
      current.set(key, json);
      bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
      if (state.snapshot.get(key) !== json) set.set(key, json);
    }
    if (bytes > this.options.maxSessionBytes && bytes > bytesOf(state.snapshot)) {
      throw SessionTooLargeError.of(bytes, this.options.maxSessionBytes);
    }
    const remove = [...state.snapshot.keys()].filter((key) => !current.has(key));
    return { set, remove, current };
  }

  /**
   * Reads the session again; unsaved changes are dropped. Under a lock (`raiseFence`), the same
   * round trip raises the fence that this request's commit will carry.
   */
  async reload(session: Session, raiseFence = false): Promise<void> {
    if (this.stateless) return this.stateless.reload(session);
    const state = stateOf(session);
    if (state.destroyed) throw SessionStateError.destroyed('reload');
    if (!state.stored) return;
    while (state.committing) await state.committing;
    const result = await this.store.load(state.key, { ...this.loadOptions(), raiseFence });
    for (const key of Object.keys(session)) delete session[key];
    state.snapshot = new Map();
    state.metaChange = {};
    state.refused = false;
    if (result.status !== 'found') {
      state.destroyed = true;
      this.clearCookie(state);
      return;
    }
    this.applyStored(session, result.session);
    if (raiseFence) state.guard.fence = result.session.meta.fence;
  }

  /**
   * New token, same tag (same Cluster slot). A stored session moves to the new key in the same
   * atomic script that applies pending changes, so the old token stops working at once.
   */
  private async regenerate(
    session: Session,
    options: RegenerateOptions,
    move: { readonly token?: SessionToken; readonly signIn?: boolean } = {},
  ): Promise<'moved' | 'gone'> {
    // As in express-session: a new token and empty data, unless the caller keeps the data.
    const keepData = options.keepData ?? false;
    if (this.stateless) {
      await this.stateless.regenerate(session, { ...options, keepData });
      return 'moved';
    }
    const state = stateOf(session);
    if (state.destroyed) throw SessionStateError.destroyed('regenerate');
    this.security.bind(state);
    this.security.stampRotation(state);
    if (!keepData) for (const key of Object.keys(session)) delete session[key];
    const token = move.token ?? renewSessionToken(state.token);
    const key = sessionKeyOf(token);
    let indexBefore: IndexRef | undefined;
    if (state.stored) {
      while (state.committing) await state.committing;
      const { set, remove, current } = this.diff(session, state);
      const now = Date.now();
      indexBefore = indexRefOf(state);
      // With encryption every value is sealed again for the new key: one from before fails.
      const reseal = this.store instanceof EncryptedSessionStore;
      const merge = keepData && !reseal;
      const result = await this.store.commit(state.key, {
        now,
        idleTimeoutMs: this.options.idleTimeoutMs,
        set: Object.fromEntries(merge ? set : current),
        delete: merge ? remove : [],
        clearData: !merge,
        meta: reseal ? { ...sealedMetaOf(state.meta!), ...state.metaChange } : state.metaChange,
        expectedVersion: state.guard.optimistic ? state.meta?.version : undefined,
        fence: state.guard.fence,
        moveTo: key,
        reseal: reseal ? pickFixedMeta(state.meta!) : undefined,
        maxBytes: this.options.maxSessionBytes,
      });
      if (result.status === 'gone') {
        state.destroyed = true;
        // A lost sign-in leaves the cookie alone: it may be the winner's by now.
        if (!move.signIn) this.clearCookie(state);
        return 'gone';
      }
      if (result.status === 'too-large') {
        throw SessionTooLargeError.of(result.bytes, this.options.maxSessionBytes);
      }
      if (result.status !== 'committed') {
        state.refused = true;
        this.emitConflict(state, result.status === 'conflict' ? 'version' : 'fence');
        throw result.status === 'conflict'
          ? SessionConflictError.versionMoved(state.meta?.version ?? 0, result.storedVersion)
          : SessionFencedError.staleFence(state.guard.fence ?? 0);
      }
      state.snapshot = current;
      state.meta = {
        ...withMetaChange(state.meta!, state.metaChange),
        version: result.version,
        lastAccessAt: now,
      };
      state.metaChange = {};
      state.expiresAt = result.expiresAt;
    }
    const previousSessionId = publicIdOf(state.key);
    state.token = token;
    state.key = key;
    state.cookieDue = true;
    // The new token is this request's own, even if the old one was a replaced (aliased) token.
    state.aliased = false;
    if (state.stored) {
      this.sendCookie(state);
      if (!state.indexAdmitted) await this.index.sync(indexBefore, indexRefOf(state));
      this.events.emit('regenerated', {
        sessionId: publicIdOf(key),
        previousSessionId,
        at: new Date(),
      });
    }
    return 'moved';
  }

  /** The session moved to `token`'s key by a rotation: this request hands the new token out. */
  private adoptRotatedToken(state: SessionState, token: SessionToken): void {
    const previousSessionId = publicIdOf(state.key);
    state.token = token;
    state.key = sessionKeyOf(token);
    state.cookieDue = true;
    this.events.emit('regenerated', {
      sessionId: publicIdOf(state.key),
      previousSessionId,
      at: new Date(),
    });
  }

  private emitConflict(state: SessionState, kind: 'version' | 'fence'): void {
    this.events.emit('conflict', { sessionId: publicIdOf(state.key), kind, at: new Date() });
  }

  private async destroy(session: Session): Promise<void> {
    if (this.stateless) return this.stateless.destroy(session);
    const state = stateOf(session);
    if (state.destroyed) return;
    while (state.committing) await state.committing;
    if (state.stored) {
      // Revokes the tag too: a rotation racing this destroy cannot keep the session alive.
      await this.store.destroy(state.key, { until: state.meta?.absoluteDeadline });
      await this.index.sync(indexRefOf(state), undefined);
      this.events.emit('destroyed', { sessionId: publicIdOf(state.key), at: new Date() });
    }
    state.destroyed = true;
    this.clearCookie(state);
  }

  private createSession(state: SessionState): Session {
    const session = new Session(this.operations);
    attachState(session, state);
    return session;
  }

  private applyStored(session: Session, stored: StoredSession): void {
    const state = stateOf(session);
    assignStoredData(session, stored.data);
    state.meta = stored.meta;
    state.expiresAt = Math.min(
      stored.meta.lastAccessAt + this.options.idleTimeoutMs,
      stored.meta.absoluteDeadline,
    );
  }

  /**
   * The first presented token that the keyring signed and that parses. Every cookie of the
   * session's name is tried, so a forged or malformed one sent first never hides a valid one;
   * only a request with none counts as a guess.
   */
  private tokenFromRequest(
    request: Request,
  ): { token: SessionToken; signedWithOldKey: boolean } | undefined {
    const presented = readPresentedTokens(
      request,
      this.options.transport,
      this.options.cookie.name,
    );
    let reason: 'malformed' | 'bad-signature' | undefined;
    for (const raw of presented) {
      const verified = this.keyring.verify(raw);
      const token = verified && parseSessionToken(verified.value);
      if (token) return { token, signedWithOldKey: verified.signedWithOldKey };
      reason ??= verified ? 'malformed' : 'bad-signature';
    }
    if (reason) {
      this.events.emit('unknown-token', { at: new Date(), reason });
      this.security.countUnknownToken(request);
    }
    return undefined;
  }

  private loadOptions() {
    return {
      now: Date.now(),
      idleTimeoutMs: this.options.idleTimeoutMs,
      slideAfterMs: this.options.slideAfterMs,
    };
  }

  private sendCookie(state: SessionState): void {
    const response = state.response;
    state.cookieDue = false;
    // A replaced token reached the session through its grace pointer: resending it would
    // overwrite the new token the client got from the request that rotated it.
    if (state.aliased) return;
    if (!response || response.headersSent || state.expiresAt === undefined) return;
    if (this.options.transport.kind === 'header') {
      response.setHeader(
        this.options.transport.responseHeader,
        this.keyring.sign(formatSessionToken(state.token)),
      );
      return;
    }
    const { name } = this.options.cookie;
    const attributes = cookieAttributesFor(this.options.cookie, response.req);
    response.cookie(name, this.keyring.sign(formatSessionToken(state.token)), {
      ...attributes,
      maxAge: cookieMaxAgeMs(state.expiresAt),
    });
  }

  private clearCookie(state: SessionState): void {
    const response = state.response;
    if (!response || response.headersSent) return;
    if (this.options.transport.kind === 'header') {
      response.setHeader(this.options.transport.responseHeader, '');
      return;
    }
    response.clearCookie(
      this.options.cookie.name,
      cookieAttributesFor(this.options.cookie, response.req),
    );
  }
}

/** Data bytes of a snapshot, counted as the stores count them (key name and JSON value). */
function bytesOf(snapshot: ReadonlyMap<string, string>): number {
  let bytes = 0;
  for (const [key, json] of snapshot) bytes += Buffer.byteLength(key) + Buffer.byteLength(json);
  return bytes;
}

/** The metadata after a committed change, to keep the in-memory view in step with the store. */
function withMetaChange<T extends object>(previous: T, change: SessionState['metaChange']): T {
  const result = { ...previous } as Record<string, unknown>;
  for (const [name, value] of Object.entries(change)) {
    if (value === null) delete result[name];
    else if (value !== undefined) result[name] = value;
  }
  return result as T;
}

/** The metadata a regeneration with encryption writes again, as it stands before the change. */
function sealedMetaOf(meta: SessionMetadata): SessionChange['meta'] {
  const { principal, fingerprint, authenticatedAt, userAgent, clientIp } = meta;
  return { principal, fingerprint, authenticatedAt, userAgent, clientIp };
}

function pickFixedMeta({ createdAt, absoluteDeadline }: SessionMetadata) {
  return { createdAt, absoluteDeadline };
}

/** The public id of a session: tag and hash of the secret, safe to log; never the token. */
export function publicIdOf(key: SessionKey): string {
  return `${key.tag}.${key.secretHash}`;
}
