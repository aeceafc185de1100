import type { SessionSecurity } from '../security/session-security.js';
import type { PrincipalIndexSync } from '../management/principal-index-sync.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { SessionOperations } from '../session.js';
import type { SessionEvents } from '../session-events.js';
import { CookieSessionStore } from '../stateless/cookie-session-store.js';
import type { SessionStore } from '../stores/session-store.js';
import type { SessionBackend } from './session-backend.js';
import { SessionFactory } from './session-factory.js';
import { SessionResponder } from './session-responder.js';
import { StatelessSessions } from './stateless-sessions.js';
import { StoreBackedSessions } from './store-backed-sessions.js';

/** What a backend is built from: the engine's collaborators and its session operations. */
export interface SessionBackendDeps {
  readonly store: SessionStore;
  readonly events: SessionEvents;
  readonly index: PrincipalIndexSync;
  readonly security: SessionSecurity;
  readonly operations: SessionOperations;
}

/** Cookie sessions (`cookieSessions`) or sessions held in the store. */
export function createSessionBackend(
  options: ResolvedSessionOptions,
  deps: SessionBackendDeps,
): SessionBackend {
  const { store, events, index, security, operations } = deps;
  const sessions = new SessionFactory(options, operations);
  const responder = new SessionResponder(options);
  if (options.cookieSessions) {
    const denyList = store instanceof CookieSessionStore ? store.denyList : undefined;
    return new StatelessSessions(options, options.cookieSessions, {
      store,
      security,
      events,
      denyList,
      sessions,
      responder,
    });
  }
  return new StoreBackedSessions(options, { store, events, index, security, sessions, responder });
}
