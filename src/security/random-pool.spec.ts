import { randomBase64url } from './random-pool.js';

describe('randomBase64url', () => {
  it('hands out distinct values of the asked length, across many refills of the pool', () => {
    const seen = new Set<string>();
    // 10,000 draws of 32 bytes: the 4 KB pool is refilled about 80 times.
    for (let i = 0; i < 10_000; i++) {
      const value = randomBase64url(32);
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      seen.add(value);
    }
    expect(seen.size).toBe(10_000);
  });

  it('does not repeat bytes when a draw does not fit in what is left of the pool', () => {
    // 4096 = 3 * 1365 + 1: the fourth draw of 1365 bytes needs a fresh pool.
    const draws = [1365, 1365, 1365, 1365, 9, 16].map((bytes) => randomBase64url(bytes));
    const decoded = draws.map((draw) => Buffer.from(draw, 'base64url'));
    expect(decoded.map((bytes) => bytes.length)).toEqual([1365, 1365, 1365, 1365, 9, 16]);
    expect(new Set(draws).size).toBe(draws.length);
    // No draw is all zeroes (the used part of the pool is zeroed after it is handed out).
    for (const bytes of decoded) expect(bytes.some((byte) => byte !== 0)).toBe(true);
  });

  it('refuses more than the pool holds', () => {
    expect(() => randomBase64url(4097)).toThrow(RangeError);
  });
});
