import { UnknownTokenCounter } from './unknown-token-counter.js';

describe('UnknownTokenCounter', () => {
  it('allows maxAttempts per window, then reports the client over the limit', () => {
    const counter = new UnknownTokenCounter(3, 1000);
    expect([1, 2, 3, 4].map(() => counter.hit('a', 0))).toEqual([false, false, false, true]);
    expect(counter.hit('b', 0)).toBe(false);
  });

  it('starts a new window once the old one passed', () => {
    const counter = new UnknownTokenCounter(1, 1000);
    expect(counter.hit('a', 0)).toBe(false);
    expect(counter.hit('a', 999)).toBe(true);
    expect(counter.hit('a', 1000)).toBe(false);
  });
});
