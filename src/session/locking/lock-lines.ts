/** A waiter in line: when its wait ends, and the most it may ever last. */
interface Place<T> {
  readonly deadline: number;
  readonly hardDeadline: number;
  readonly go: (turn: Turn<T>) => void;
}

interface Line<T> {
  readonly places: Place<T>[];
  /** When a waiter of this line last took the lock. */
  progressAt: number;
}

/** A waiter's turn: what the one before handed over, and when this waiter must give up. */
export interface Turn<T> {
  readonly handoff?: T;
  readonly deadline: number;
}

/**
 * The waiters of this process for each lock, first come first served: only the one whose turn it
 * is asks the store, the others wait here without a timer firing or a command sent. While the
 * lock passes from waiter to waiter of the line, the ones behind keep their place: a waiter gives
 * up when nobody of its line took the lock for `boundMs`, and never later than `hardDeadline`.
 */
export class LockLines<T> {
  private readonly lines = new Map<string, Line<T>>();

  /** Resolves with the caller's turn, or `'timeout'`. The caller must `leave()` after a turn. */
  enter(resource: string, boundMs: number, hardDeadline: number): Promise<Turn<T> | 'timeout'> {
    const now = Date.now();
    const deadline = Math.min(now + boundMs, hardDeadline);
    const line = this.lines.get(resource);
    if (!line) {
      this.lines.set(resource, { places: [], progressAt: now });
      return Promise.resolve({ deadline });
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const place: Place<T> = {
        deadline,
        hardDeadline,
        go: (turn) => {
          clearTimeout(timer);
          resolve(turn);
        },
      };
      const check = () => {
        const until = Math.min(Math.max(place.deadline, line.progressAt + boundMs), hardDeadline);
        if (until > Date.now()) {
          timer = setTimeout(check, until - Date.now());
          return;
        }
        const at = line.places.indexOf(place);
        if (at >= 0) line.places.splice(at, 1);
        resolve('timeout');
      };
      timer = setTimeout(check, deadline - now);
      line.places.push(place);
    });
  }

  /**
   * Ends the caller's turn and gives it to the next waiter, if any. `tookLock`: the caller got
   * the lock, so the line moved and the next waiter has a full bound of its own.
   */
  leave(resource: string, tookLock: boolean, boundMs: number, handoff?: T): void {
    const line = this.lines.get(resource);
    if (!line) return;
    const now = Date.now();
    if (tookLock) line.progressAt = now;
    const next = line.places.shift();
    if (!next) {
      this.lines.delete(resource);
      return;
    }
    const deadline = tookLock
      ? Math.min(Math.max(next.deadline, now + boundMs), next.hardDeadline)
      : next.deadline;
    next.go({ handoff, deadline });
  }
}
