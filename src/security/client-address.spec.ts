import { addressPrefix } from './client-address.js';

describe('addressPrefix', () => {
  it.each([
    ['203.0.113.77', 24, '203.0.113.0/24'],
    ['203.0.113.77', 16, '203.0.0.0/16'],
    ['203.0.113.77', 32, '203.0.113.77/32'],
    ['203.0.113.77', 20, '203.0.112.0/20'],
    ['::ffff:203.0.113.77', 24, '203.0.113.0/24'],
  ])('cuts IPv4 %s to /%i', (address, bits, expected) => {
    expect(addressPrefix(address, bits, 64)).toBe(expected);
  });

  it.each([
    ['2001:db8:abcd:12:1:2:3:4', 64, '2001:db8:abcd:12:0:0:0:0/64'],
    ['2001:db8::1', 64, '2001:db8:0:0:0:0:0:0/64'],
    ['2001:db8:abcd:12ff::1', 56, '2001:db8:abcd:1200:0:0:0:0/56'],
    ['fe80::1%eth0', 64, 'fe80:0:0:0:0:0:0:0/64'],
    ['::1', 128, '0:0:0:0:0:0:0:1/128'],
  ])('cuts IPv6 %s to /%i', (address, bits, expected) => {
    expect(addressPrefix(address, 24, bits)).toBe(expected);
  });

  it('gives the same prefix to neighbours and different ones across the boundary', () => {
    expect(addressPrefix('198.51.100.1', 24, 64)).toBe(addressPrefix('198.51.100.254', 24, 64));
    expect(addressPrefix('198.51.100.1', 24, 64)).not.toBe(addressPrefix('198.51.101.1', 24, 64));
  });

  it('leaves what is not an address as it is', () => {
    expect(addressPrefix('unknown', 24, 64)).toBe('unknown');
  });
});
