import type { SessionHttpPort } from '../transport/http-port.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { Session } from '../session.js';
import type { SessionEvents } from '../session-events.js';
import { type SessionState, stateOf } from '../session-state.js';
import { CsrfTokens } from '../../security/csrf-tokens.js';
import type { SessionStore } from '../stores/session-store.js';
import { SessionFingerprint } from '../../security/session-fingerprint.js';
import { TokenGuessing } from './token-guessing.js';

/**
 * The engine's security checks on a request's session: fingerprint binding, token rotation,
 * the unknown-token counter, and the CSRF token. One instance per engine.
 */
export class SessionSecurity {
  readonly csrf: CsrfTokens;
  private readonly fingerprint?: SessionFingerprint;
  private readonly guesses?: TokenGuessing;

  constructor(
    private readonly options: ResolvedSessionOptions,
    private readonly events: SessionEvents,
    store: SessionStore,
  ) {
    const { fingerprint, tokenGuessing } = options.security;
    this.csrf = new CsrfTokens(options.secrets);
    if (fingerprint) this.fingerprint = new SessionFingerprint(fingerprint, options.secrets);
    if (tokenGuessing) {
      const { prefix, commandTimeoutMs } = options;
      this.guesses = new TokenGuessing(tokenGuessing, store, prefix, commandTimeoutMs, events);
    }
  }

  /**
   * Checks a loaded session against the request. `false` when the request must not have it (a
   * fingerprint mismatch, whatever the policy): the request goes on with a fresh, empty session.
   * A plain `true` when nothing had to be awaited (every request of a session that is its own).
   */
  vet(session: Session, port: SessionHttpPort): boolean | Promise<boolean> {
    const { request } = port;
    const state = stateOf(session);
    if (this.fingerprint) {
      const stored = state.meta?.fingerprint;
      if (stored === undefined) {
        // A session from before binding was enabled: bind it to the client using it now.
        state.metaChange.fingerprint = this.fingerprint.of(request);
      } else if (!this.fingerprint.matches(request, stored)) {
        return this.onMismatch(session);
      }
    }
    return true;
  }

  /**
   * Binds the session to the request's fingerprint at the commit that creates it and at every
   * regeneration (sign-in, passport's `req.login`), so binding follows the latest privilege change.
   */
  bind(state: SessionState): void {
    const request = state.port?.request;
    if (this.fingerprint && request) state.metaChange.fingerprint = this.fingerprint.of(request);
  }

  /**
   * Marks a loaded session whose token is older than `rotation.intervalMs` (since the last
   * rotation or regeneration, else since creation) to get a new token at its next commit. Only
   * when the request can carry the new token back, and never for a session reached through a
   * grace pointer: its token was replaced moments ago by a concurrent request.
   */
  scheduleRotation(state: SessionState, now = Date.now()): void {
    const rotation = this.options.security.rotation;
    if (!rotation || !state.port || state.aliased || !state.meta) return;
    const since = state.meta.rotatedAt ?? state.meta.createdAt;
    if (now - since >= rotation.intervalMs) state.rotationDue = true;
  }

  /** Records that the token is being replaced now (regeneration or rotation), when rotating. */
  stampRotation(state: SessionState, now = Date.now()): void {
    state.rotationDue = false;
    if (this.options.security.rotation) state.metaChange.rotatedAt = now;
  }

  /**
   * Counts an unknown or forged token; raises 429 when the client is over `tokenGuessing` (at
   * once when counting in memory, at `settleUnknownTokens()` when counting in Redis).
   */
  countUnknownToken(port: SessionHttpPort): void {
    this.guesses?.count(port);
  }

  /**
   * Awaits the shared count of this request's unknown token, if any; raises 429 when over.
   * `undefined` when the request presented no unknown token: nothing to await.
   */
  settleUnknownTokens(request: SessionHttpPort['request']): Promise<void> | undefined {
    return this.guesses?.settle(request);
  }

  /**
   * What a request that lost its session to a fingerprint mismatch goes on with: an empty session,
   * saved at once under `regenerate` so its new cookie replaces the presented one.
   */
  afterMismatch(fresh: Session): Session {
    if (this.options.security.fingerprint?.onMismatch === 'regenerate')
      stateOf(fresh).touched = true;
    return fresh;
  }

  /**
   * The session's CSRF token. An unsaved session is marked to be saved, since its token (and so
   * its CSRF token) would otherwise change with every request.
   */
  csrfTokenOf(session: Session): string {
    const state = stateOf(session);
    if (!state.stored) state.touched = true;
    return this.csrf.tokenFor(state.key);
  }

  /** Whether `token` is the CSRF token of the session. */
  verifyCsrf(session: Session, token: string): boolean {
    return this.csrf.verify(stateOf(session).key, token);
  }

  /**
   * The mismatching request never gets the session or its data, whatever the policy; only what
   * happens to the stored session differs: `destroy` and `regenerate` end it (the presented token
   * is burnt for everybody), `report` keeps it for the client it is bound to.
   */
  private async onMismatch(session: Session): Promise<false> {
    const policy = this.options.security.fingerprint!.onMismatch;
    this.events.emit('hijack-suspected', {
      sessionId: session.id,
      reason: 'fingerprint-mismatch',
      policy,
      at: new Date(),
    });
    if (policy !== 'report') await session.destroy();
    return false;
  }
}
