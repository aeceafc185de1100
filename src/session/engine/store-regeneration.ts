import {
  publicIdOf,
  renewSessionToken,
  type SessionToken,
  sessionKeyOf,
} from '../../security/session-token.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { RegenerateOptions, Session } from '../session.js';
import { SessionStateError } from '../session.errors.js';
import type { SessionEvents } from '../session-events.js';
import { type SessionState, stateOf } from '../session-state.js';
import { type IndexRef, indexRefOf } from '../management/principal-index-sync.js';
import { EncryptedSessionStore } from '../stores/encrypted/encrypted-session-store.js';
import { applyCommitted, refusalOf } from './commit-results.js';
import type { RegenerateOutcome } from './session-backend.js';
import { pickFixedMeta, sealedMetaOf } from './session-meta.js';
import type { StoreBackedParts } from './store-backed-sessions.js';

/** A sign-in's regeneration: its token was chosen (and indexed) before. */
export interface MoveOptions {
  readonly token?: SessionToken;
  readonly signIn?: boolean;
  /** A remembered sign-in: the session's new absolute deadline, written by the move. */
  readonly absoluteDeadline?: number;
}

/**
 * New token, same tag (same Cluster slot). A stored session moves to the new key in the same
 * atomic script that applies pending changes, so the old token stops working at once.
 */
export async function moveToNewToken(
  sessionOptions: ResolvedSessionOptions,
  parts: StoreBackedParts,
  sendToken: (state: SessionState) => void,
  session: Session,
  options: RegenerateOptions,
  move: MoveOptions,
): Promise<RegenerateOutcome> {
  const keepData = options.keepData ?? false;
  const { store, security, sessions } = parts;
  const state = stateOf(session);
  if (state.destroyed) throw SessionStateError.destroyed('regenerate');
  security.bind(state);
  security.stampRotation(state);
  if (!keepData) for (const key of Object.keys(session)) delete session[key];
  const token = move.token ?? renewSessionToken(state.token);
  const key = sessionKeyOf(token);
  let indexBefore: IndexRef | undefined;
  if (state.stored) {
    while (state.committing) await state.committing;
    const { set, remove, current } = sessions.diff(session, state);
    const now = Date.now();
    indexBefore = indexRefOf(state);
    // With encryption every value is sealed again for the new key: one from before fails.
    const reseal = store instanceof EncryptedSessionStore;
    const merge = keepData && !reseal;
    const result = await store.commit(state.key, {
      now,
      idleTimeoutMs: sessionOptions.idleTimeoutMs,
      set: Object.fromEntries(merge ? set : current),
      delete: merge ? remove : [],
      clearData: !merge,
      meta: reseal ? { ...sealedMetaOf(state.meta!), ...state.metaChange } : state.metaChange,
      expectedVersion: state.guard.optimistic ? state.meta?.version : undefined,
      fence: state.guard.fence,
      moveTo: key,
      absoluteDeadline: move.absoluteDeadline,
      reseal: reseal ? pickFixedMeta(state.meta!, move.absoluteDeadline) : undefined,
      maxBytes: sessionOptions.maxSessionBytes,
    });
    if (result.status === 'gone') {
      state.destroyed = true;
      // A lost sign-in leaves the cookie alone: it may be the winner's by now.
      if (!move.signIn) parts.responder.clear(state);
      return 'gone';
    }
    if (result.status !== 'committed') {
      throw refusalOf(state, result, sessionOptions.maxSessionBytes, parts.events);
    }
    const deadline = move.absoluteDeadline ?? state.meta!.absoluteDeadline;
    applyCommitted(state, result, current, now, { ...state.meta!, absoluteDeadline: deadline });
  }
  const previousSessionId = publicIdOf(state.key);
  state.token = token;
  state.key = key;
  state.cookieDue = true;
  // The new token is this request's own, even if the old one was a replaced (aliased) token.
  state.aliased = false;
  if (state.stored) {
    sendToken(state);
    if (!state.indexAdmitted) await parts.index.sync(indexBefore, indexRefOf(state));
    emitRegenerated(parts.events, state, previousSessionId);
  }
  return 'moved';
}

export function emitRegenerated(
  events: SessionEvents,
  state: SessionState,
  previousSessionId: string,
): void {
  const sessionId = publicIdOf(state.key);
  events.emit('regenerated', { sessionId, previousSessionId, at: new Date() });
}
