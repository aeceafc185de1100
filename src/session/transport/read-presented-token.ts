import type { SessionRequest } from './http-port.js';
import type { ResolvedTransportOptions } from './session-transport-options.js';

/**
 * Every token a request presents through the configured transport, in the order sent: all
 * cookies named exactly `cookieName`, or the one header token. The caller tries each in turn,
 * so a forged or malformed cookie of the same name never hides a valid one.
 */
export function readPresentedTokens(
  request: SessionRequest,
  transport: ResolvedTransportOptions,
  cookieName: string,
): string[] {
  if (transport.kind === 'cookie') return readCookies(request.headers.cookie, cookieName);
  const header = request.headers[transport.requestHeader];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return [];
  if (transport.requestHeader !== 'authorization') {
    const token = trimSpaces(value);
    return token ? [token] : [];
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? [match[1]!] : [];
}

/**
 * The values of the cookies named `name` in a Cookie header, without decoding the others.
 * Names match exactly (RFC 6265bis): only SP and HTAB around them are dropped, never the other
 * characters `String.prototype.trim` drops (U+00A0, U+FEFF...), so `\u00a0__Host-sid`, which a
 * sibling subdomain can set, is not the `__Host-` cookie.
 */
function readCookies(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || trimSpaces(part.slice(0, eq)) !== name) continue;
    const value = trimSpaces(part.slice(eq + 1));
    try {
      const unquoted =
        value.length >= 2 && value.startsWith('"') && value.endsWith('"')
          ? value.slice(1, -1)
          : value;
      if (unquoted) values.push(decodeURIComponent(unquoted));
    } catch {
      // A value that does not decode is no token; the next cookie of the name may be.
    }
  }
  return values;
}

/** Drops SP and HTAB at both ends: the only whitespace of RFC 6265bis cookie syntax. */
function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}
