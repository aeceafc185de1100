import { renewSessionToken, sessionKeyOf } from '../../security/session-token.js';
import { SessionReplacedError } from '../management/management.errors.js';
import {
  type IndexRef,
  indexRefOf,
  type PrincipalIndexSync,
} from '../management/principal-index-sync.js';
import { rememberedDeadlineOf, type SignInOptions } from '../remember-me/remembered-deadline.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { Session } from '../session.js';
import type { SessionPrincipal } from '../session-data.js';
import { SessionStateError } from '../session.errors.js';
import { serializeValue } from '../session-serializer.js';
import { stateOf } from '../session-state.js';
import type { RegenerateOutcome } from './session-backend.js';
import type { MoveOptions } from './store-regeneration.js';

/** The store-backed backend's own steps a sign-in runs: the move to the new token, the commit. */
export interface SignInSteps {
  move(session: Session, move: MoveOptions): Promise<RegenerateOutcome>;
  commit(session: Session): Promise<void>;
}

/**
 * Signs a stored (or new) session in under a new token. The new key enters the principal's
 * index before the session is signed in (cap decided there), so revocation always finds it. A
 * sign-in that loses to a concurrent move or revocation throws `SessionReplacedError` and leaves
 * the cookie alone.
 */
export async function signInToStore(
  options: ResolvedSessionOptions,
  index: PrincipalIndexSync,
  steps: SignInSteps,
  session: Session,
  principal: SessionPrincipal,
  signIn: SignInOptions,
): Promise<void> {
  const state = stateOf(session);
  if (state.destroyed) throw SessionStateError.destroyed('signIn');
  while (state.committing) await state.committing;
  const now = Date.now();
  const remembered = rememberedDeadlineOf(options, signIn, now);
  const token = renewSessionToken(state.token);
  const next: IndexRef = {
    principalId: principal.id,
    key: sessionKeyOf(token),
    deadline: remembered ?? state.meta?.absoluteDeadline ?? now + options.absoluteTimeoutMs,
  };
  const before = indexRefOf(state);
  Object.assign(state.metaChange, await index.admit(next, state.port));
  state.metaChange.principal = serializeValue('principal', principal);
  state.metaChange.authenticatedAt = Date.now();
  if (!state.stored) state.createAt = now;
  // The index entry and the session get the same deadline: the move writes it, or the create.
  state.rememberedDeadline = remembered;
  state.indexAdmitted = true;
  try {
    const outcome = await steps.move(session, {
      token,
      signIn: true,
      absoluteDeadline: remembered,
    });
    if (outcome !== 'gone' && !state.stored) await steps.commit(session);
    if (outcome === 'gone' || state.destroyed) throw SessionReplacedError.duringSignIn();
  } catch (error) {
    state.indexAdmitted = false;
    state.rememberedDeadline = undefined;
    await index.withdraw(next);
    throw error;
  }
  state.indexAdmitted = false;
  state.rememberedDeadline = undefined;
  // The earlier entry leaves only now: had this sign-in lost, the session stays listed.
  if (before) await index.withdraw(before);
}
