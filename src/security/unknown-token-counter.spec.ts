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

describe('UnknownTokenCounter under a flood of distinct clients', () => {
  it('30k distinct clients within one window: the table stays at its cap, the oldest go first', () => {
    const counter = new UnknownTokenCounter(2, 60_000, 10_000);
    for (let i = 0; i < 30_000; i++) counter.hit(`client-${i}`, 0);
    expect(counter.trackedClients).toBe(10_000);
    // The newest clients are still counted (their second and third hit), the oldest forgotten.
    expect(counter.hit('client-29999', 0)).toBe(false);
    expect(counter.hit('client-29999', 0)).toBe(true);
    expect(counter.hit('client-0', 0)).toBe(false);
    expect(counter.trackedClients).toBe(10_000);
  });

  it('each hit evicts a bounded number of entries: no sweep of the table', () => {
    const counter = new UnknownTokenCounter(2, 1000, 10_000);
    for (let i = 0; i < 10_000; i++) counter.hit(`old-${i}`, 0);
    const evictedBy = (hit: () => void) => {
      const before = counter.evictions;
      hit();
      return counter.evictions - before;
    };
    // Full of live entries: a new client evicts exactly the oldest one.
    expect(evictedBy(() => counter.hit('new-0', 500))).toBe(1);
    expect(counter.trackedClients).toBe(10_000);
    // Past the window, each new client drops at most a few expired entries, never all of them.
    const perHit: number[] = [];
    for (let i = 1; i <= 1000; i++) perHit.push(evictedBy(() => counter.hit(`new-${i}`, 1000)));
    expect(Math.max(...perHit)).toBeLessThanOrEqual(9);
    expect(Math.min(...perHit)).toBeGreaterThan(0);
    expect(counter.trackedClients).toBeLessThan(10_000);
  });

  it('a client whose window restarts moves to the back, so expiry order holds', () => {
    const counter = new UnknownTokenCounter(1, 1000, 3);
    counter.hit('a', 0);
    counter.hit('b', 100);
    counter.hit('a', 1000); // new window for a: now the newest
    counter.hit('c', 1050);
    const before = counter.evictions;
    counter.hit('d', 1150);
    expect(counter.evictions - before).toBe(1); // b expired, not a
    expect(counter.hit('a', 1200)).toBe(true); // a's second hit in its window
  });
});
