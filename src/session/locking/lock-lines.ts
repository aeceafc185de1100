/**
 * The waiters of this process for each lock, first come first served: only the one whose turn it
 * is asks the store, the others wait here without a timer or a command. `T` is what a waiter
 * hands to the next when it leaves (e.g. "I took the lock: it is busy").
 */
export class LockLines<T> {
  /** A resource is in the map while some waiter has its turn; the array holds the next ones. */
  private readonly lines = new Map<string, ((handoff: T | undefined) => void)[]>();

  /**
   * Resolves when it is the caller's turn, with what the previous one handed over, or with
   * `'timeout'` when `deadline` (epoch ms) passed first. The caller must `leave()` after a turn.
   */
  enter(resource: string, deadline: number): Promise<{ handoff?: T } | 'timeout'> {
    const line = this.lines.get(resource);
    if (!line) {
      this.lines.set(resource, []);
      return Promise.resolve({});
    }
    return new Promise((resolve) => {
      const go = (handoff: T | undefined) => {
        clearTimeout(timer);
        resolve({ handoff });
      };
      const timer = setTimeout(
        () => {
          const at = line.indexOf(go);
          if (at >= 0) line.splice(at, 1);
          resolve('timeout');
        },
        Math.max(0, deadline - Date.now()),
      );
      line.push(go);
    });
  }

  /** Ends the caller's turn and gives it to the next waiter of `resource`, if any. */
  leave(resource: string, handoff?: T): void {
    const line = this.lines.get(resource);
    const next = line?.shift();
    if (next) next(handoff);
    else this.lines.delete(resource);
  }
}
