/**
 * Counts the releases heard of each lock watched in this process, and wakes whoever waits for
 * the next one. A waiter reads `generation()` before it asks for the lock and waits with it: a
 * release heard in between wakes it at once, so none is missed between a refusal and the wait.
 */
export class ReleaseSignals {
  private readonly watched = new Map<string, { refs: number; generation: number }>();
  private readonly wakers = new Map<string, Set<() => void>>();

  watch(resource: string): void {
    const entry = this.watched.get(resource);
    if (entry) entry.refs += 1;
    else this.watched.set(resource, { refs: 1, generation: 0 });
  }

  /** True when nobody watches `resource` any more. */
  unwatch(resource: string): boolean {
    const entry = this.watched.get(resource);
    if (entry && --entry.refs > 0) return false;
    this.watched.delete(resource);
    return true;
  }

  isWatched(resource: string): boolean {
    return this.watched.has(resource);
  }

  generation(resource: string): number {
    return this.watched.get(resource)?.generation ?? 0;
  }

  /** A release of `resource` was heard: wakes its waiters. */
  notify(resource: string): void {
    const entry = this.watched.get(resource);
    if (entry) entry.generation += 1;
    const waiting = this.wakers.get(resource);
    this.wakers.delete(resource);
    waiting?.forEach((wake) => wake());
  }

  /** Wakes every waiter (the subscription was lost or is back: they must ask again). */
  notifyAll(): void {
    for (const resource of [...this.watched.keys()]) this.notify(resource);
  }

  /** Resolves at the first release after `generation`, or after `ms`. */
  changed(resource: string, generation: number, ms: number): Promise<void> {
    if (this.generation(resource) !== generation) return Promise.resolve();
    return new Promise((resolve) => {
      let waiting = this.wakers.get(resource);
      if (!waiting) this.wakers.set(resource, (waiting = new Set()));
      const all = waiting;
      const done = () => {
        clearTimeout(timer);
        all.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      all.add(done);
    });
  }
}
