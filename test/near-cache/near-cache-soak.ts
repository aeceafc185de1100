import type { SessionKey } from '../../src/security/session-token.js';
import { dataOf, type Instance, loadOptions, newKey, setChange } from './near-cache-fixture.js';

export interface SoakOptions {
  readonly instances: readonly Instance[];
  /** Drops every subscriber connection (CLIENT KILL TYPE pubsub where they are). */
  readonly killSubscribers: () => Promise<unknown>;
  readonly rounds: number;
  /** Rounds run side by side, each lane on its own sessions. */
  readonly lanes: number;
}

export interface SoakReport {
  readonly rounds: number;
  readonly reads: number;
  readonly staleReads: string[];
  readonly kills: number;
  readonly invalidateErrors: string[];
  /** Reads the near caches answered without Redis. */
  readonly hits: number;
}

/**
 * Each round: one instance writes (a new value, a destroy, or a regeneration) while the others
 * read the session; once the writer answered, every instance reads it and must see that write
 * or a newer one. Subscriber connections are dropped at random meanwhile.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const { instances } = options;
  const staleReads: string[] = [];
  const invalidateErrors: string[] = [];
  const unobserve = instances.map((instance, i) =>
    instance.store.observe({
      error: (operation, error) => {
        if (operation === 'invalidate') invalidateErrors.push(`#${i}: ${error.message}`);
      },
    }),
  );
  const hitsBefore = instances.reduce((sum, i) => sum + i.store.stats().hits, 0);
  let reads = 0;
  let kills = 0;
  let rounds = 0;
  const perLane = Math.ceil(options.rounds / options.lanes);
  const random = (n: number) => Math.floor(Math.random() * n);

  async function create(tag?: string): Promise<{ key: SessionKey; n: number }> {
    const key = newKey(tag);
    const created = await instances[random(instances.length)]!.store.commit(
      key,
      setChange({ n: 0 }, { create: { absoluteDeadline: Date.now() + 600_000 } }),
    );
    if (created.status !== 'committed') throw new Error(`create: ${created.status}`);
    return { key, n: 0 };
  }

  /** Every instance must show `key` at `n` or newer, or as missing when `n` is undefined. */
  async function check(round: number, key: SessionKey, n: number | undefined): Promise<void> {
    const results = await Promise.all(instances.map((i) => i.store.load(key, loadOptions())));
    results.forEach((result, i) => {
      reads += 1;
      const seen = dataOf(result)?.n as number | undefined;
      const fresh = n === undefined ? result.status !== 'found' : seen !== undefined && seen >= n;
      if (!fresh) staleReads.push(`round ${round} instance ${i}: wrote ${n}, read ${seen}`);
    });
  }

  async function lane(): Promise<void> {
    let session = await create();
    for (let r = 0; r < perLane; r++) {
      rounds += 1;
      const writer = random(instances.length);
      const readers = instances.filter((_, i) => i !== writer);
      const during = readers.map((reader) => reader.store.load(session.key, loadOptions()));
      const kill =
        random(100) === 0 ? options.killSubscribers().then(() => (kills += 1)) : undefined;
      const dice = random(20);
      const store = instances[writer]!.store;
      if (dice === 0) {
        await store.destroy(session.key);
        await Promise.all([...during, kill]);
        await check(r, session.key, undefined);
        session = await create();
      } else if (dice === 1) {
        const next = newKey(session.key.tag);
        const n = session.n + 1;
        const moved = await store.commit(
          session.key,
          setChange({ n }, { moveTo: next, clearData: true }),
        );
        await Promise.all([...during, kill]);
        if (moved.status !== 'committed') throw new Error(`regenerate: ${moved.status}`);
        await check(r, session.key, undefined);
        session = { key: next, n };
        await check(r, next, n);
      } else {
        const n = session.n + 1;
        const written = await store.commit(session.key, setChange({ n }));
        await Promise.all([...during, kill]);
        if (written.status !== 'committed') throw new Error(`write: ${written.status}`);
        session.n = n;
        await check(r, session.key, n);
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.lanes }, lane));
  } finally {
    unobserve.forEach((stop) => stop());
  }
  const hits = instances.reduce((sum, i) => sum + i.store.stats().hits, 0) - hitsBefore;
  return { rounds, reads, staleReads, kills, invalidateErrors, hits };
}
