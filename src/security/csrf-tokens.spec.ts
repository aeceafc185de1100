import { CsrfTokens } from './csrf-tokens.js';

const NEW = 'new-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const OLD = 'old-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const KEY = { tag: 'AbCdEfGhIj-_', secretHash: 'h'.repeat(43) };

describe('CsrfTokens', () => {
  it('derives a stable base64url token per session key', () => {
    const tokens = new CsrfTokens([NEW]);
    expect(tokens.tokenFor(KEY)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.tokenFor(KEY)).toBe(new CsrfTokens([NEW]).tokenFor(KEY));
    expect(tokens.verify(KEY, tokens.tokenFor(KEY))).toBe(true);
  });

  it('changes with the secret hash (regeneration) and refuses the old token', () => {
    const tokens = new CsrfTokens([NEW]);
    const regenerated = { ...KEY, secretHash: 'g'.repeat(43) };
    expect(tokens.tokenFor(regenerated)).not.toBe(tokens.tokenFor(KEY));
    expect(tokens.verify(regenerated, tokens.tokenFor(KEY))).toBe(false);
  });

  it('verifies tokens issued under an older secret of the ring, not under a removed one', () => {
    const issuedByOld = new CsrfTokens([OLD]).tokenFor(KEY);
    expect(new CsrfTokens([NEW, OLD]).verify(KEY, issuedByOld)).toBe(true);
    expect(new CsrfTokens([NEW]).verify(KEY, issuedByOld)).toBe(false);
  });

  it('refuses empty, truncated and altered tokens', () => {
    const tokens = new CsrfTokens([NEW]);
    const token = tokens.tokenFor(KEY);
    expect(tokens.verify(KEY, '')).toBe(false);
    expect(tokens.verify(KEY, token.slice(0, -1))).toBe(false);
    expect(tokens.verify(KEY, token + 'A')).toBe(false);
    expect(tokens.verify(KEY, (token[0] === 'A' ? 'B' : 'A') + token.slice(1))).toBe(false);
  });

  it('is not the cookie signature of the same value', () => {
    // Derived key: a CSRF token never equals an HMAC under the raw cookie secret.
    const tokens = new CsrfTokens([NEW]);
    expect(tokens.tokenFor(KEY)).not.toBe(new CsrfTokens([OLD]).tokenFor(KEY));
  });
});
