import type { Request } from 'express';
import type { ResolvedTransportOptions } from './session-transport-options.js';

/** The signed token a request presents through the configured transport, if any. */
export function readPresentedToken(
  request: Request,
  transport: ResolvedTransportOptions,
  cookieName: string,
): string | undefined {
  if (transport.kind === 'cookie') return readCookie(request.headers.cookie, cookieName);
  const header = request.headers[transport.requestHeader];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (transport.requestHeader !== 'authorization') return value.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** One cookie's value from a Cookie header, without decoding every other cookie. */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value.startsWith('"') ? value.slice(1, -1) : value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
