import { GenerationalMemo } from './generational-memo.js';

describe('GenerationalMemo', () => {
  it('returns what was set, and nothing for a key never set', () => {
    const memo = new GenerationalMemo<number>(4);
    memo.set('a', 1);
    expect(memo.get('a')).toBe(1);
    expect(memo.get('b')).toBeUndefined();
  });

  it('remembers what it computed once, but never an undefined result', () => {
    const memo = new GenerationalMemo<string>(4);
    let calls = 0;
    const compute = (value: string | undefined) => () => {
      calls += 1;
      return value;
    };
    expect(memo.remember('a', compute('A'))).toBe('A');
    expect(memo.remember('a', compute('other'))).toBe('A');
    expect(calls).toBe(1);
    expect(memo.remember('forged', compute(undefined))).toBeUndefined();
    expect(memo.remember('forged', compute(undefined))).toBeUndefined();
    expect(calls).toBe(3);
    expect(memo.size).toBe(1);
  });

  it('holds at most twice its capacity, dropping the oldest generation', () => {
    const memo = new GenerationalMemo<number>(3);
    for (let i = 0; i < 10; i++) memo.set(`k${i}`, i);
    expect(memo.size).toBeLessThanOrEqual(6);
    expect(memo.get('k9')).toBe(9);
    expect(memo.get('k0')).toBeUndefined();
  });

  it('keeps an entry that is used: a hit in the old generation moves it to the young one', () => {
    const memo = new GenerationalMemo<number>(2);
    memo.set('kept', 1);
    memo.set('x', 2);
    memo.set('y', 3); // 'kept' and 'x' are now the old generation
    expect(memo.get('kept')).toBe(1); // moved to the young one
    memo.set('z', 4); // young is full again: the old generation ('x') is dropped
    memo.set('w', 5);
    expect(memo.get('x')).toBeUndefined();
    expect(memo.get('kept')).toBe(1);
  });
});
