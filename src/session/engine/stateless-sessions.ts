import {
  createSessionToken,
  publicIdOf,
  type SessionKey,
  type SessionToken,
  sessionKeyOf,
} from '../../security/session-token.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { RegenerateOptions, Session } from '../session.js';
import type { SessionPrincipal } from '../session-data.js';
import { SessionStateError } from '../session.errors.js';
import { SessionStoreRequiredError } from '../stateless/stateless.errors.js';
import { deserializeValue, serializeValue } from '../session-serializer.js';
import { commitInTurn, initialState, type SessionState, stateOf } from '../session-state.js';
import { summarizeUserAgent } from '../management/user-agent-summary.js';
import { rememberedDeadlineOf, type SignInOptions } from '../remember-me/remembered-deadline.js';
import { expiresAtOf } from '../stores/session-deadlines.js';
import type { SessionMetadata } from '../stores/session-store.js';
import type { SessionHttpPort, SessionRequest } from '../transport/http-port.js';
import { readPresentedTokens } from '../transport/read-presented-token.js';
import { CookieSeal, type UnsealedValue } from '../../security/cookie-seal.js';
import {
  decodeSealedSession,
  encodeSealedSession,
  type SealedSession,
} from '../stateless/sealed-session.js';
import type { ResolvedCookieSealOptions } from '../stateless/session-cookie-seal-options.js';
import {
  SessionCookieTooLargeError,
  SessionSequenceConflictError,
} from '../stateless/stateless.errors.js';
import type { RegenerateOutcome, SessionBackend, StatelessParts } from './session-backend.js';
import { withMetaChange } from './session-meta.js';

/**
 * Open, commit, regenerate and destroy for cookie sessions: the whole session is sealed in the
 * cookie, and no store is touched, except the deny-list when one is configured.
 */
export class StatelessSessions implements SessionBackend {
  private readonly seal: CookieSeal;

  constructor(
    private readonly options: ResolvedSessionOptions,
    private readonly sealOptions: ResolvedCookieSealOptions,
    private readonly parts: StatelessParts,
  ) {
    this.seal = new CookieSeal(sealOptions.keys);
  }

  /**
   * The session sealed in the request's cookie, or a fresh one when there is none, it does not
   * open (forged, altered, unknown key), a deadline passed, or its id is on the deny-list.
   */
  async open(port: SessionHttpPort): Promise<Session> {
    const { events, security } = this.parts;
    const found = this.unsealPresented(port.request);
    if (!found) return this.parts.sessions.fresh(port);
    if (!found.sealed) {
      events.emit('unknown-token', { at: new Date(), reason: found.reason });
      security.countUnknownToken(port);
      return this.parts.sessions.fresh(port);
    }
    const { sealed, opened } = found;
    const key = sessionKeyOf(sealed.token);
    if (Date.now() >= this.expiryOf(sealed.meta)) {
      events.emit('expired', { sessionId: publicIdOf(key), at: new Date() });
      return this.parts.sessions.fresh(port);
    }
    if (await this.refusedByDenyList(publicIdOf(key), sealed.meta.version)) {
      events.emit('unknown-token', { at: new Date(), reason: 'unknown' });
      security.countUnknownToken(port);
      return this.parts.sessions.fresh(port);
    }
    const session = this.parts.sessions.create(
      initialState({
        token: sealed.token,
        key,
        stored: true,
        // Sealed with an older key: seal it again with the newest, so old keys can be retired.
        cookieDue: opened.sealedWithOldKey,
        port,
      }),
    );
    this.parts.sessions.apply(session, sealed.data, sealed.meta);
    const vetted = security.vet(session, port);
    if (vetted !== true && !(await vetted)) return this.parts.sessions.fresh(port);
    return session;
  }

  /**
   * Seals the session into the cookie when something changed, the cookie must be re-sent
   * (regenerated, old key), or the idle deadline is due to slide. Raises
   * `SessionCookieTooLargeError` (nothing sent) when the cookie would exceed `maxCookieBytes`.
   */
  commit(session: Session): Promise<void> {
    const state = stateOf(session);
    return commitInTurn(state, () => this.commitNow(session, state));
  }

  /** Cookie sessions live in no store: asking it for one by its token refuses, typed. */
  async loadToken(token: SessionToken): Promise<Session | undefined> {
    const { idleTimeoutMs, slideAfterMs } = this.options;
    await this.parts.store.load(sessionKeyOf(token), {
      now: Date.now(),
      idleTimeoutMs,
      slideAfterMs,
    });
    return undefined;
  }

  /** The principal and the client's summary go into the sealed metadata under a new id. */
  async signIn(
    session: Session,
    principal: SessionPrincipal,
    options: SignInOptions = {},
  ): Promise<void> {
    const state = stateOf(session);
    state.rememberedDeadline = rememberedDeadlineOf(this.options, options, Date.now());
    const { trackClientIp } = this.options.principalSessions;
    const { port } = state;
    state.metaChange.userAgent = summarizeUserAgent(port?.header('user-agent'));
    const clientIp = port?.clientAddress;
    if (trackClientIp && clientIp !== undefined) state.metaChange.clientIp = clientIp;
    state.metaChange.principal = serializeValue('principal', principal);
    state.metaChange.authenticatedAt = Date.now();
    await this.regenerate(session, { keepData: true });
    if (!state.stored) await this.commit(session);
  }

  private async commitNow(session: Session, state: SessionState): Promise<void> {
    if (state.destroyed || state.refused) return;
    const { set, remove, current } = this.parts.sessions.diff(session, state);
    const dataChanged = set.size > 0 || remove.length > 0;
    const changed = dataChanged || Object.keys(state.metaChange).length > 0;
    if (!state.stored && !changed && !state.touched && !this.options.saveUninitialized) return;
    const now = Date.now();
    const sliding =
      state.meta !== undefined && now - state.meta.lastAccessAt >= this.options.slideAfterMs;
    if (state.stored && !changed && !state.touched && !sliding && !state.cookieDue) return;
    if (!state.stored) this.parts.security.bind(state);
    const base: SessionMetadata = state.meta ?? {
      version: 0,
      createdAt: now,
      lastAccessAt: now,
      absoluteDeadline: now + this.options.absoluteTimeoutMs,
      fence: 0,
    };
    const meta: SessionMetadata = {
      ...withMetaChange(base, state.metaChange),
      absoluteDeadline: state.rememberedDeadline ?? base.absoluteDeadline,
      version: base.version + 1,
      lastAccessAt: now,
    };
    const plaintext = encodeSealedSession({
      token: state.token,
      meta,
      data: Object.fromEntries(current),
    });
    const value = this.seal.seal(plaintext, this.context());
    const bytes = Buffer.byteLength(`${this.options.cookie.name}=${encodeURIComponent(value)}`);
    if (bytes > this.sealOptions.maxCookieBytes) {
      // The request's changes are void: no later commit of it (the error response) may retry.
      state.refused = true;
      throw SessionCookieTooLargeError.sealed(bytes, this.sealOptions.maxCookieBytes);
    }
    const created = !state.stored;
    // A monotonic key changed: older cookies of this id must no longer open. Before the cookie
    // is sent, so a failed write leaves the client on its previous cookie.
    if (state.stored && this.monotonicKeyChanged(state, current)) {
      const raised = await this.parts.denyList!.raiseMinimum(
        publicIdOf(state.key),
        meta.version,
        meta.absoluteDeadline,
      );
      if (raised === 'ended') {
        state.destroyed = true;
        this.parts.responder.clear(state);
        return;
      }
      if (raised === 'stale') {
        state.refused = true;
        throw SessionSequenceConflictError.raced(meta.version);
      }
    }
    state.meta = meta;
    state.metaChange = {};
    state.rememberedDeadline = undefined;
    state.snapshot = current;
    state.touched = false;
    state.stored = true;
    state.expiresAt = this.expiryOf(meta);
    this.parts.responder.send(state, () => value);
    if (created) {
      this.parts.events.emit('created', { sessionId: publicIdOf(state.key), at: new Date() });
    }
  }

  /**
   * A new random id (the tag changes too: there is no Cluster slot to keep). The old id goes on
   * the deny-list when there is one; without it, cookies copied before stay valid until their
   * deadlines, though they never carry what is set after this.
   */
  async regenerate(session: Session, options: RegenerateOptions): Promise<RegenerateOutcome> {
    const state = stateOf(session);
    if (state.destroyed) throw SessionStateError.destroyed('regenerate');
    while (state.committing) await state.committing;
    this.parts.security.bind(state);
    if (!(options.keepData ?? true)) for (const key of Object.keys(session)) delete session[key];
    const previous = state.key;
    if (state.stored) await this.deny(previous, state);
    state.token = createSessionToken();
    state.key = sessionKeyOf(state.token);
    state.cookieDue = true;
    if (state.stored) {
      this.parts.events.emit('regenerated', {
        sessionId: publicIdOf(state.key),
        previousSessionId: publicIdOf(previous),
        at: new Date(),
      });
    }
    return 'moved';
  }

  /** Clears the cookie, and puts the id on the deny-list when there is one. */
  async destroy(session: Session): Promise<void> {
    const state = stateOf(session);
    if (state.destroyed) return;
    while (state.committing) await state.committing;
    if (state.stored) {
      await this.deny(state.key, state);
      this.parts.events.emit('destroyed', { sessionId: publicIdOf(state.key), at: new Date() });
    }
    state.destroyed = true;
    this.parts.responder.clear(state);
  }

  /** Drops unsaved changes: the data goes back to what the cookie carried (or last sealed). */
  async reload(session: Session): Promise<void> {
    const state = stateOf(session);
    if (state.destroyed) throw SessionStateError.destroyed('reload');
    for (const key of Object.keys(session)) delete session[key];
    for (const [key, json] of state.snapshot) session[key] = deserializeValue(json);
    state.metaChange = {};
    state.refused = false;
  }

  /** Cookie sessions have no store to hold a lock in. */
  reloadLocked(): Promise<undefined> {
    return Promise.reject(SessionStoreRequiredError.forOperation('A session lock'));
  }

  /**
   * The first presented cookie that opens and decodes: every cookie of the session's name is
   * tried, so a forged or malformed one sent first never hides a valid one. `undefined` when
   * none was presented; without `sealed` when none opened.
   */
  private unsealPresented(
    request: SessionRequest,
  ):
    | { sealed: SealedSession; opened: UnsealedValue }
    | { sealed?: undefined; reason: 'malformed' | 'bad-signature' }
    | undefined {
    const presented = readPresentedTokens(
      request,
      this.options.transport,
      this.options.cookie.name,
    );
    let reason: 'malformed' | 'bad-signature' | undefined;
    for (const raw of presented) {
      const opened = this.seal.unseal(raw, this.context());
      const sealed = opened && decodeSealedSession(opened.plaintext);
      if (sealed) return { sealed, opened };
      reason ??= opened ? 'malformed' : 'bad-signature';
    }
    return reason && { reason };
  }

  /** Ended ids; with `monotonicKeys`, also cookies older than the recorded floor. One command. */
  private async refusedByDenyList(sessionId: string, sequence: number): Promise<boolean> {
    const denyList = this.parts.denyList;
    if (!denyList) return false;
    if (!this.sealOptions.monotonicKeys?.length) return denyList.has(sessionId);
    return (await denyList.check(sessionId, sequence)) !== 'open';
  }

  private monotonicKeyChanged(state: SessionState, current: Map<string, string>): boolean {
    return (this.sealOptions.monotonicKeys ?? []).some(
      (key) => state.snapshot.get(key) !== current.get(key),
    );
  }

  private async deny(key: SessionKey, state: SessionState): Promise<void> {
    if (this.parts.denyList && state.meta) {
      await this.parts.denyList.add(publicIdOf(key), state.meta.absoluteDeadline);
    }
  }

  private expiryOf(meta: SessionMetadata): number {
    return expiresAtOf(meta, this.options.idleTimeoutMs);
  }

  /** The associated data of every seal: a seal moved to another cookie name does not open. */
  private context(): string {
    return `cookie-session:${this.options.cookie.name}`;
  }
}
