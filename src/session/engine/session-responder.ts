import { cookieAttributesFor, cookieMaxAgeMs } from '../../security/cookie-attributes.js';
import { isRemembered } from '../remember-me/remembered-deadline.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { SessionState } from '../session-state.js';

/**
 * Hands the session's value (a signed token or a sealed cookie) to the client, and takes it back,
 * through the configured transport: the only place that sets or clears the session cookie.
 */
export class SessionResponder {
  constructor(private readonly options: ResolvedSessionOptions) {}

  /** Sends `value` until the session's deadline; nothing once the response is on its way. */
  send(state: SessionState, value: () => string): void {
    state.cookieDue = false;
    // A replaced token reached the session through its grace pointer: resending it would
    // overwrite the new token the client got from the request that rotated it.
    if (state.aliased) return;
    const { port } = state;
    if (!port || port.headersSent || state.expiresAt === undefined) return;
    const { transport, cookie } = this.options;
    if (transport.kind === 'header') return port.setHeader(transport.responseHeader, value());
    const attributes = cookieAttributesFor(cookie, port.secure);
    port.setCookie(cookie.name, value(), attributes, this.maxAgeOf(state, state.expiresAt));
  }

  /** Until the idle deadline; none (a browser-session cookie) when so configured, unless remembered. */
  private maxAgeOf(state: SessionState, expiresAt: number): number | undefined {
    const { cookie, absoluteTimeoutMs } = this.options;
    if (!cookie.persistent && !isRemembered(state.meta, absoluteTimeoutMs)) return undefined;
    return cookieMaxAgeMs(expiresAt);
  }

  clear(state: SessionState): void {
    const { port } = state;
    if (!port || port.headersSent) return;
    const { transport, cookie } = this.options;
    if (transport.kind === 'header') return port.setHeader(transport.responseHeader, '');
    port.clearCookie(cookie.name, cookieAttributesFor(cookie, port.secure));
  }
}
