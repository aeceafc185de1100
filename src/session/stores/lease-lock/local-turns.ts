/** One waiter in a {@link LocalTurns} line. */
export interface Turn {
  /** Resolves when this waiter is first in line. */
  readonly ready: Promise<void>;
}

interface QueuedTurn extends Turn {
  wake(): void;
  left: boolean;
}

/**
 * First-come lines of the requests of this process that wait for the same session lock: only
 * the first in line asks the store, the others wait for their turn without a round trip. This
 * keeps a hot session from turning every waiting request into a polling client of the database.
 */
export class LocalTurns {
  private readonly lines = new Map<string, QueuedTurn[]>();

  join(id: string): Turn {
    const line = this.lines.get(id) ?? [];
    this.lines.set(id, line);
    let wake!: () => void;
    const ready = new Promise<void>((resolve) => (wake = resolve));
    const turn: QueuedTurn = { ready, wake, left: false };
    line.push(turn);
    if (line.length === 1) wake();
    return turn;
  }

  /** Leaves the line (once; later calls do nothing); the next in line gets its turn. */
  leave(id: string, turn: Turn): void {
    const queued = turn as QueuedTurn;
    if (queued.left) return;
    queued.left = true;
    const line = this.lines.get(id);
    const at = line?.indexOf(queued) ?? -1;
    if (!line || at < 0) return;
    line.splice(at, 1);
    if (line.length === 0) this.lines.delete(id);
    else if (at === 0) line[0]!.wake();
  }
}
