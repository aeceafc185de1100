import session from 'express-session';
import { createSessionToken, sessionKeyOf } from '../../src/security/session-token.js';
import { fromExpressSessionStore } from '../../src/index.js';
import type { ExpressSessionStoreLike } from '../../src/index.js';

const HOUR = 3_600_000;

/**
 * What the README says an express-session store loses, shown on a real MemoryStore: a test-only
 * wrapper holds the first `set` open (a promise gate) while a second commit runs start to end.
 */
describe('fromExpressSessionStore: whole blob, last writer wins', () => {
  it('a commit that overlaps another loses the other one’s key (per-key merge is not kept)', async () => {
    const inner = new session.MemoryStore();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held: Promise<void> | undefined;
    let reachedSet!: () => void;
    const atSet = new Promise<void>((resolve) => (reachedSet = resolve));
    const wrapped: ExpressSessionStoreLike = {
      get: (sid, callback) => inner.get(sid, callback),
      destroy: (sid, callback) => inner.destroy(sid, callback),
      set: (sid, blob, callback) => {
        if (held === undefined) {
          // The first write after the gate is armed waits until the test opens it.
          held = gate.then(() => inner.set(sid, blob, callback));
          reachedSet();
          return;
        }
        inner.set(sid, blob, callback);
      },
    };
    const store = fromExpressSessionStore(wrapped);
    const key = sessionKeyOf(createSessionToken());
    const now = Date.now();
    const base = { now, idleTimeoutMs: HOUR, delete: [] };
    held = Promise.resolve(); // the create is not held
    await store.commit(key, { ...base, create: { absoluteDeadline: now + HOUR }, set: { n: '0' } });
    held = undefined;

    const first = store.commit(key, { ...base, now: now + 1, set: { a: '1' } });
    await atSet; // the first commit has read the blob and waits in `set`
    await expect(
      store.commit(key, { ...base, now: now + 2, set: { b: '2' } }),
    ).resolves.toMatchObject({
      status: 'committed',
    });
    release();
    await expect(first).resolves.toMatchObject({ status: 'committed' });

    const loaded = await store.load(key, { now: now + 3, idleTimeoutMs: HOUR, slideAfterMs: HOUR });
    expect(loaded).toMatchObject({ status: 'found', session: { data: { n: '0', a: '1' } } });
    if (loaded.status === 'found') expect(loaded.session.data.b).toBeUndefined();
    expect(store.capabilities.perKeyMerge).toBe(false);
  });
});
