import { parseSessionToken, type SessionToken } from '../../security/session-token.js';
import type { SigningKeyring } from '../../security/signing-keyring.js';
import type { SessionSecurity } from '../security/session-security.js';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import type { SessionEvents } from '../session-events.js';
import type { SessionHttpPort } from '../transport/http-port.js';
import { readPresentedTokens } from '../transport/read-presented-token.js';

/**
 * The first presented token that the keyring signed and that parses. Every cookie of the
 * session's name is tried, so a forged or malformed one sent first never hides a valid one;
 * only a request with none counts as a guess.
 */
export function presentedSessionToken(
  port: SessionHttpPort,
  options: Pick<ResolvedSessionOptions, 'transport' | 'cookie'>,
  keyring: SigningKeyring,
  parts: { readonly events: SessionEvents; readonly security: SessionSecurity },
): { token: SessionToken; signedWithOldKey: boolean } | undefined {
  let reason: 'malformed' | 'bad-signature' | undefined;
  for (const raw of readPresentedTokens(port.request, options.transport, options.cookie.name)) {
    const verified = keyring.verify(raw);
    const token = verified && parseSessionToken(verified.value);
    if (token) return { token, signedWithOldKey: verified.signedWithOldKey };
    reason ??= verified ? 'malformed' : 'bad-signature';
  }
  if (reason) {
    parts.events.emit('unknown-token', { at: new Date(), reason });
    parts.security.countUnknownToken(port);
  }
  return undefined;
}
