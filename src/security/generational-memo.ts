/**
 * A bounded memo of a pure function's results, in two generations: lookups see both, new entries
 * go to the young one, and when it is full the old one is dropped and the young one takes its
 * place. So at most `2 × capacity` entries are held, recent ones stay, and a hit costs one or two
 * `Map` lookups with no reordering (an LRU would reorder on every hit).
 */
export class GenerationalMemo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  /**
   * The remembered value of `key`, or `compute()`'s, remembered unless it is `undefined` (so a
   * caller can keep failures, such as forged signatures, out of the memo).
   */
  remember<T extends V | undefined>(key: string, compute: () => T): T | V {
    const known = this.get(key);
    if (known !== undefined) return known;
    const value = compute();
    if (value !== undefined) this.set(key, value);
    return value;
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
