import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { Session } from '../session.js';
import type { SessionSecurity } from './session-security.js';

/**
 * What `CsrfGuard` needs, and no more: where a request carries the CSRF token, whether the
 * defence applies at all, and the check of a token against a session. A provider of the module,
 * so the guard does not inject the whole engine to read its options.
 */
export class SessionCsrfCheck {
  /** Request header carrying the token, lower-case. */
  readonly headerName: string;
  /** Form or JSON body field (and WebSocket message field) carrying the token. */
  readonly fieldName: string;
  /**
   * `false` with header-token transport: a browser never attaches a request header on its own,
   * so there is no cross-site request to defend against.
   */
  readonly applies: boolean;

  constructor(
    options: ResolvedSessionOptions,
    private readonly security: SessionSecurity,
  ) {
    ({ headerName: this.headerName, fieldName: this.fieldName } = options.security.csrf);
    this.applies = options.transport.kind !== 'header';
  }

  /** Whether `token` is the CSRF token of the session. */
  verify(session: Session, token: string): boolean {
    return this.security.verifyCsrf(session, token);
  }
}
