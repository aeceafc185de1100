import type { Request } from 'express';
import type { ResolvedFingerprintOptions } from './resolved-security-options.js';
import { describeRequest, SessionFingerprint } from './session-fingerprint.js';

const NEW = 'new-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const OLD = 'old-secret-0123456789abcdefghijklmnopqrstuvwxyz';

function requestWith(headers: Record<string, string>, ip = '203.0.113.9'): Request {
  return { headers, ip, socket: { remoteAddress: ip } } as unknown as Request;
}

function optionsWith(extra: Partial<ResolvedFingerprintOptions> = {}): ResolvedFingerprintOptions {
  return {
    properties: ['user-agent'],
    onMismatch: 'destroy',
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 64,
    ...extra,
  };
}

describe('SessionFingerprint', () => {
  const firefox = requestWith({ 'user-agent': 'Firefox/140', 'accept-language': 'de' });
  const curl = requestWith({ 'user-agent': 'curl/8', 'accept-language': 'de' });

  it('matches the same User-Agent and not another', () => {
    const fp = new SessionFingerprint(optionsWith(), [NEW]);
    const stored = fp.of(firefox);
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fp.matches(firefox, stored)).toBe(true);
    expect(fp.matches(curl, stored)).toBe(false);
  });

  it('ignores properties that are not bound, and binds those that are', () => {
    const uaOnly = new SessionFingerprint(optionsWith(), [NEW]);
    const english = requestWith({ 'user-agent': 'Firefox/140', 'accept-language': 'en' });
    expect(uaOnly.matches(english, uaOnly.of(firefox))).toBe(true);
    const withLanguage = new SessionFingerprint(
      optionsWith({ properties: ['user-agent', 'accept-language'] }),
      [NEW],
    );
    expect(withLanguage.matches(english, withLanguage.of(firefox))).toBe(false);
  });

  it('binds the address by its /24 prefix', () => {
    const fp = new SessionFingerprint(optionsWith({ properties: ['ip'] }), [NEW]);
    const stored = fp.of(requestWith({}, '198.51.100.10'));
    expect(fp.matches(requestWith({}, '198.51.100.200'), stored)).toBe(true);
    expect(fp.matches(requestWith({}, '198.51.101.10'), stored)).toBe(false);
  });

  it('binds a custom value', () => {
    const fp = new SessionFingerprint(
      optionsWith({ properties: [], custom: (r) => String(r.headers['x-device']) }),
      [NEW],
    );
    const stored = fp.of(requestWith({ 'x-device': 'one' }));
    expect(fp.matches(requestWith({ 'x-device': 'one' }), stored)).toBe(true);
    expect(fp.matches(requestWith({ 'x-device': 'two' }), stored)).toBe(false);
  });

  it('keeps matching after a secret rotation while the old secret is in the ring', () => {
    const stored = new SessionFingerprint(optionsWith(), [OLD]).of(firefox);
    expect(new SessionFingerprint(optionsWith(), [NEW, OLD]).matches(firefox, stored)).toBe(true);
    expect(new SessionFingerprint(optionsWith(), [NEW]).matches(firefox, stored)).toBe(false);
  });

  it('gives the same answers from its memo of recent requests, for each key of the ring', () => {
    const ring = new SessionFingerprint(optionsWith(), [NEW, OLD]);
    const byOld = new SessionFingerprint(optionsWith(), [OLD]).of(firefox);
    for (let round = 0; round < 3; round++) {
      expect(ring.of(firefox)).toBe(new SessionFingerprint(optionsWith(), [NEW]).of(firefox));
      expect(ring.matches(firefox, byOld)).toBe(true);
      expect(ring.matches(curl, byOld)).toBe(false);
    }
  });

  it('fingerprints an oversized header too (it is not remembered, so the memo stays small)', () => {
    const fp = new SessionFingerprint(optionsWith(), [NEW]);
    const long = requestWith({ 'user-agent': `Firefox/140 ${'x'.repeat(4000)}` });
    const longer = requestWith({ 'user-agent': `Firefox/140 ${'x'.repeat(4001)}` });
    const stored = fp.of(long);
    expect(fp.matches(long, stored)).toBe(true);
    expect(fp.matches(longer, stored)).toBe(false);
  });

  it('cannot be fooled by a header that fakes a second property line', () => {
    const options = optionsWith({ properties: ['user-agent', 'accept-language'] });
    const honest = requestWith({ 'user-agent': 'A', 'accept-language': 'B' });
    const forged = requestWith({ 'user-agent': 'A\naccept-language=B', 'accept-language': '' });
    expect(describeRequest(forged, options)).not.toBe(describeRequest(honest, options));
  });
});
