import { Cluster, type Redis } from 'ioredis';
import {
  createSessionToken,
  renewSessionToken,
  type SessionKey,
  sessionKeyOf,
  type SessionToken,
} from '../../src/security/session-token.js';
import { RedisSessionStore } from '../../src/session/stores/redis/redis-session-store.js';
import {
  FULL_STORE_CAPABILITIES,
  type LoadOptions,
  type LoadResult,
  type SessionChange,
  type SessionStore,
  type SessionStoreCapabilities,
  type StoredSession,
} from '../../src/session/stores/session-store.js';
import { describeCapabilityRefusals } from './capability-refusals.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A `slideAfterMs` that never slides, so loads leave `lastAccessAt` alone. */
const NO_SLIDE = 10 * DAY;

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * Also run the Redis-only cases (key TTL, key layout). The store must be a
   * {@link RedisSessionStore}.
   */
  readonly redis?: boolean;
  /**
   * The capabilities the store declares (missing ones default to true): each case runs only on a
   * store whose capabilities cover it, and the store must refuse what it lacks.
   */
  readonly capabilities?: Partial<SessionStoreCapabilities>;
}

/** Runs after the store was closed, in `afterAll`: close clients the spec opened. */
export type StoreCleanup = (store: SessionStore) => void | Promise<void>;

/** A fresh token and its store key: every case uses its own, so cases do not depend on order. */
function freshSession(): { token: SessionToken; key: SessionKey } {
  const token = createSessionToken();
  return { token, key: sessionKeyOf(token) };
}

/**
 * A clock value an hour ahead of the real one. The store is handed `now` by its caller; Redis sets
 * the key expiry from it (PEXPIREAT), so with a future `now` the key outlives the case even with
 * short idle timeouts, and deadlines are checked against the given values only.
 */
function futureNow(): number {
  return Date.now() + HOUR;
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

function creating(
  now: number,
  set: Record<string, string> = {},
  extra: Partial<SessionChange> = {},
): SessionChange {
  return {
    now,
    idleTimeoutMs: HOUR,
    create: { absoluteDeadline: now + DAY },
    set,
    delete: [],
    ...extra,
  };
}

function updating(
  now: number,
  set: Record<string, string> = {},
  remove: readonly string[] = [],
  extra: Partial<SessionChange> = {},
): SessionChange {
  return { now, idleTimeoutMs: HOUR, set, delete: remove, ...extra };
}

function loadingAt(now: number, extra: Partial<LoadOptions> = {}): LoadOptions {
  return { now, idleTimeoutMs: HOUR, slideAfterMs: NO_SLIDE, ...extra };
}

type Found = Extract<LoadResult, { status: 'found' }>;

/** Loads `key` and fails the case unless it was found. */
async function loadFound(
  store: SessionStore,
  key: SessionKey,
  options: LoadOptions,
): Promise<Found> {
  const result = await store.load(key, options);
  expect(result.status).toBe('found');
  if (result.status !== 'found') throw new Error(`expected found, got ${result.status}`);
  return result;
}

/** Loads `key` without sliding or raising the fence and returns the stored session. */
async function read(store: SessionStore, key: SessionKey, now: number): Promise<StoredSession> {
  return (await loadFound(store, key, loadingAt(now))).session;
}

/** Every key matching `pattern`, on every master of a Cluster or on the one server otherwise. */
async function scanKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}

/** The prefix a Redis store writes its keys under (`keyOf` is `prefix{tag}secretHash`). */
function prefixOf(store: RedisSessionStore): string {
  return store.keyOf({ tag: '', secretHash: '' }).slice(0, -'{}'.length);
}

/**
 * The store conformance suite: the cases every {@link SessionStore} must pass. `createStore` runs
 * once in `beforeAll`; `afterAll` closes the store and then runs `cleanup`.
 */
export function describeStoreConformance(
  name: string,
  createStore: () => SessionStore | Promise<SessionStore>,
  cleanup?: StoreCleanup,
  options: StoreConformanceOptions = {},
): void {
  const capabilities = { ...FULL_STORE_CAPABILITIES, ...options.capabilities };
  /** `describe` / `it` when the store has every capability `needs` names, else skipped. */
  const describeWith = (...needs: (keyof SessionStoreCapabilities)[]) =>
    needs.every((need) => capabilities[need]) ? describe : describe.skip;
  const itWith = (...needs: (keyof SessionStoreCapabilities)[]) =>
    needs.every((need) => capabilities[need]) ? it : it.skip;

  describe(`SessionStore conformance: ${name}`, () => {
    let store: SessionStore;

    describeCapabilityRefusals(() => store, capabilities);

    beforeAll(async () => {
      store = await createStore();
    });

    afterAll(async () => {
      if (!store) return;
      try {
        await store.close();
      } finally {
        await cleanup?.(store);
      }
    });

    describe('ready', () => {
      it('reports ready once it can serve', async () => {
        await expect(store.ready(5000)).resolves.toBe(true);
      });
    });

    describe('load', () => {
      it('reports an unknown key as missing', async () => {
        const { key } = freshSession();
        await expect(store.load(key, loadingAt(futureNow()))).resolves.toEqual({
          status: 'missing',
        });
        await expect(
          store.load(key, loadingAt(futureNow(), { raiseFence: true, slideAfterMs: 0 })),
        ).resolves.toEqual({ status: 'missing' });
      });
    });

    describe('create', () => {
      it('creates a session that loads back with its data and initial metadata', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const absoluteDeadline = now + 2 * HOUR;
        const data = { user: json({ id: 7, name: 'Ada' }), theme: json('dark'), n: json(3) };
        await expect(
          store.commit(key, {
            now,
            idleTimeoutMs: 30 * 60_000,
            create: { absoluteDeadline },
            set: data,
            delete: [],
          }),
        ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: now + 30 * 60_000 });

        const loaded = await loadFound(store, key, loadingAt(now + SECOND));
        expect(loaded.slid).toBe(false);
        expect(loaded.session).toEqual({
          meta: { version: 1, createdAt: now, lastAccessAt: now, absoluteDeadline, fence: 0 },
          data,
        });
      });

      it('creates a session with metadata and no data', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await expect(
          store.commit(
            key,
            creating(now, {}, { meta: { principal: json({ sub: 'u1' }), authenticatedAt: now } }),
          ),
        ).resolves.toMatchObject({ status: 'committed', version: 1 });
        expect(await read(store, key, now)).toEqual({
          meta: {
            version: 1,
            createdAt: now,
            lastAccessAt: now,
            absoluteDeadline: now + DAY,
            fence: 0,
            principal: json({ sub: 'u1' }),
            authenticatedAt: now,
          },
          data: {},
        });
      });

      it("refuses to create over an existing session with 'exists' and writes nothing", async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));
        await expect(
          store.commit(
            key,
            creating(now + SECOND, { a: json(2), b: json(2) }, { meta: { principal: 'p' } }),
          ),
        ).resolves.toEqual({ status: 'exists' });
        expect(await read(store, key, now + 2 * SECOND)).toEqual({
          meta: {
            version: 1,
            createdAt: now,
            lastAccessAt: now,
            absoluteDeadline: now + DAY,
            fence: 0,
          },
          data: { a: json(1) },
        });
      });

      it('reports the expiry as min(now + idle, absolute deadline)', async () => {
        const first = freshSession();
        const now = futureNow();
        await expect(
          store.commit(first.key, {
            now,
            idleTimeoutMs: 10 * 60_000,
            create: { absoluteDeadline: now + 5 * 60_000 },
            set: {},
            delete: [],
          }),
        ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: now + 5 * 60_000 });
        await expect(
          store.commit(first.key, {
            now: now + 30_000,
            idleTimeoutMs: 60_000,
            set: {},
            delete: [],
          }),
        ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 90_000 });
        // The absolute deadline caps it again once it is nearer.
        await expect(
          store.commit(first.key, {
            now: now + 60_000,
            idleTimeoutMs: 10 * 60_000,
            set: {},
            delete: [],
          }),
        ).resolves.toEqual({ status: 'committed', version: 3, expiresAt: now + 5 * 60_000 });
      });
    });

    describe('update', () => {
      it("reports 'gone' for an unknown key and creates nothing", async () => {
        const { key } = freshSession();
        const now = futureNow();
        await expect(
          store.commit(
            key,
            updating(now, { a: json(1) }, [], { meta: { principal: 'p' }, expectedVersion: 0 }),
          ),
        ).resolves.toEqual({ status: 'gone' });
        await expect(store.commit(key, updating(now, { a: json(1) }))).resolves.toEqual({
          status: 'gone',
        });
        await expect(store.load(key, loadingAt(now))).resolves.toEqual({ status: 'missing' });
      });

      itWith('versions', 'locks')(
        'never brings a destroyed session back (destroy wins)',
        async () => {
          const { key } = freshSession();
          const now = futureNow();
          await store.commit(key, creating(now, { a: json(1) }));
          const loaded = await read(store, key, now);
          await expect(store.destroy(key)).resolves.toBe(true);
          await expect(
            store.commit(
              key,
              updating(now + SECOND, { b: json(2) }, [], {
                expectedVersion: loaded.meta.version,
                fence: loaded.meta.fence,
              }),
            ),
          ).resolves.toEqual({ status: 'gone' });
          await expect(store.load(key, loadingAt(now + 2 * SECOND))).resolves.toEqual({
            status: 'missing',
          });
        },
      );

      it('merges per key: two commits from the same loaded version both survive', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json('a0'), shared: json('s0') }));
        const base = await read(store, key, now);
        expect(base.meta.version).toBe(1);

        await expect(
          store.commit(key, updating(now + 1, { b: json('from first') })),
        ).resolves.toMatchObject({ status: 'committed', version: 2 });
        await expect(
          store.commit(key, updating(now + 2, { c: json('from second') }, ['shared'])),
        ).resolves.toMatchObject({ status: 'committed', version: 3 });

        const merged = await read(store, key, now + 3);
        expect(merged.data).toEqual({
          a: json('a0'),
          b: json('from first'),
          c: json('from second'),
        });
        expect(merged.meta.version).toBe(3);
        expect(merged.meta.lastAccessAt).toBe(now + 2);
      });

      it('deletes only the named keys, and sets and deletes in one commit', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1), b: json(2), c: json(3) }));

        await expect(store.commit(key, updating(now + 1, {}, ['b']))).resolves.toMatchObject({
          status: 'committed',
          version: 2,
        });
        expect((await read(store, key, now + 1)).data).toEqual({ a: json(1), c: json(3) });

        await expect(
          store.commit(key, updating(now + 2, { d: json(4), c: json('c2') }, ['a', 'absent'])),
        ).resolves.toMatchObject({ status: 'committed', version: 3 });
        expect((await read(store, key, now + 2)).data).toEqual({ c: json('c2'), d: json(4) });

        await expect(store.commit(key, updating(now + 3, {}, ['c', 'd']))).resolves.toMatchObject({
          status: 'committed',
          version: 4,
        });
        const emptied = await read(store, key, now + 3);
        expect(emptied.data).toEqual({});
        expect(emptied.meta.version).toBe(4);
      });

      it('raises the version on every commit and refreshes lastAccessAt', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const versions: number[] = [];
        const created = await store.commit(key, creating(now, { n: json(0) }));
        if (created.status === 'committed') versions.push(created.version);
        for (let i = 1; i <= 4; i += 1) {
          const result = await store.commit(key, updating(now + i * SECOND, { n: json(i) }));
          if (result.status === 'committed') versions.push(result.version);
        }
        expect(versions).toEqual([1, 2, 3, 4, 5]);
        const session = await read(store, key, now + 5 * SECOND);
        expect(session.meta).toEqual({
          version: 5,
          createdAt: now,
          lastAccessAt: now + 4 * SECOND,
          absoluteDeadline: now + DAY,
          fence: 0,
        });
        expect(session.data).toEqual({ n: json(4) });
      });
    });

    describeWith('versions')('optimistic commits (expectedVersion)', () => {
      it("refuses a stale version with 'conflict' and writes nothing", async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));
        await store.commit(key, updating(now + 1, { a: json(2) }));
        await store.commit(key, updating(now + 2, { a: json(3) }));

        await expect(
          store.commit(
            key,
            updating(now + 3, { a: json('stale'), b: json('stale') }, ['a'], {
              expectedVersion: 1,
              meta: { principal: 'stale' },
              clearData: true,
            }),
          ),
        ).resolves.toEqual({ status: 'conflict', storedVersion: 3 });
        await expect(
          store.commit(key, updating(now + 3, { b: json('ahead') }, [], { expectedVersion: 4 })),
        ).resolves.toEqual({ status: 'conflict', storedVersion: 3 });

        expect(await read(store, key, now + 4)).toEqual({
          meta: {
            version: 3,
            createdAt: now,
            lastAccessAt: now + 2,
            absoluteDeadline: now + DAY,
            fence: 0,
          },
          data: { a: json(3) },
        });
      });

      it('commits when the expected version matches', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));
        await store.commit(key, updating(now + 1, { a: json(2) }));
        const loaded = await read(store, key, now + 2);
        expect(loaded.meta.version).toBe(2);

        await expect(
          store.commit(
            key,
            updating(now + 3, { b: json('b') }, [], { expectedVersion: loaded.meta.version }),
          ),
        ).resolves.toEqual({ status: 'committed', version: 3, expiresAt: now + 3 + HOUR });
        await expect(
          store.commit(key, updating(now + 4, { c: json('c') }, [], { expectedVersion: 2 })),
        ).resolves.toEqual({ status: 'conflict', storedVersion: 3 });

        const session = await read(store, key, now + 5);
        expect(session.meta.version).toBe(3);
        expect(session.data).toEqual({ a: json(2), b: json('b') });
      });
    });

    describeWith('locks')('locked commits (fence)', () => {
      it('raises the fence by one on every load that asks for it', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now));
        const fences: number[] = [];
        for (let i = 1; i <= 3; i += 1) {
          const loaded = await loadFound(store, key, loadingAt(now + i, { raiseFence: true }));
          fences.push(loaded.session.meta.fence);
        }
        expect(fences).toEqual([1, 2, 3]);
        // A load that does not ask leaves the fence alone.
        expect((await read(store, key, now + 4)).meta.fence).toBe(3);
        // Raising the fence together with a slide returns both.
        const both = await loadFound(
          store,
          key,
          loadingAt(now + 5, { raiseFence: true, slideAfterMs: 0 }),
        );
        expect(both.slid).toBe(true);
        expect(both.session.meta).toMatchObject({ fence: 4, lastAccessAt: now + 5, version: 1 });
      });

      it("refuses a commit with an older fence with 'fenced' and writes nothing", async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));
        const first = await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));
        const second = await loadFound(store, key, loadingAt(now + 2, { raiseFence: true }));
        expect(first.session.meta.fence).toBe(1);
        expect(second.session.meta.fence).toBe(2);

        await expect(
          store.commit(
            key,
            updating(now + 3, { a: json('late'), b: json('late') }, ['a'], {
              fence: first.session.meta.fence,
              meta: { fingerprint: 'late' },
            }),
          ),
        ).resolves.toEqual({ status: 'fenced', storedFence: 2 });
        expect(await read(store, key, now + 4)).toEqual({
          meta: {
            version: 1,
            createdAt: now,
            lastAccessAt: now,
            absoluteDeadline: now + DAY,
            fence: 2,
          },
          data: { a: json(1) },
        });

        await expect(
          store.commit(key, updating(now + 5, { b: json('holder') }, [], { fence: 2 })),
        ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 5 + HOUR });
        // A fence newer than the stored one is not refused either.
        await expect(
          store.commit(key, updating(now + 6, { c: json('newer') }, [], { fence: 3 })),
        ).resolves.toMatchObject({ status: 'committed', version: 3 });
        const session = await read(store, key, now + 7);
        expect(session.data).toEqual({ a: json(1), b: json('holder'), c: json('newer') });
        expect(session.meta.fence).toBe(2);
      });
    });

    describe('metadata', () => {
      it('sets principal, fingerprint and authenticatedAt, and removes them with null', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const principal = json({ id: 'user-1', roles: ['admin'] });
        await store.commit(key, creating(now, { a: json(1) }));
        await store.commit(
          key,
          updating(now + 1, {}, [], {
            meta: { principal, fingerprint: 'fp-hmac', authenticatedAt: now + 1 },
          }),
        );
        expect((await read(store, key, now + 2)).meta).toEqual({
          version: 2,
          createdAt: now,
          lastAccessAt: now + 1,
          absoluteDeadline: now + DAY,
          fence: 0,
          principal,
          fingerprint: 'fp-hmac',
          authenticatedAt: now + 1,
        });

        // Fields left out of `meta` stay; null removes one.
        await store.commit(key, updating(now + 3, {}, [], { meta: { fingerprint: null } }));
        const partly = (await read(store, key, now + 4)).meta;
        expect(partly).toEqual({
          version: 3,
          createdAt: now,
          lastAccessAt: now + 3,
          absoluteDeadline: now + DAY,
          fence: 0,
          principal,
          authenticatedAt: now + 1,
        });
        expect('fingerprint' in partly).toBe(false);

        await store.commit(
          key,
          updating(now + 5, {}, [], { meta: { principal: null, authenticatedAt: null } }),
        );
        const cleared = await read(store, key, now + 6);
        expect(cleared.meta).toEqual({
          version: 4,
          createdAt: now,
          lastAccessAt: now + 5,
          absoluteDeadline: now + DAY,
          fence: 0,
        });
        expect(Object.keys(cleared.meta).sort()).toEqual(
          ['absoluteDeadline', 'createdAt', 'fence', 'lastAccessAt', 'version'].sort(),
        );
        expect(cleared.data).toEqual({ a: json(1) });
      });

      it('keeps data keys named like metadata apart from the metadata', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const data = {
          v: json('v'),
          c: json('c'),
          a: json('a'),
          x: json('x'),
          n: json('n'),
          p: json('p'),
          f: json('f'),
          t: json('t'),
          version: json(99),
          fence: json(99),
        };
        await store.commit(key, creating(now, data));
        expect(await read(store, key, now)).toEqual({
          meta: {
            version: 1,
            createdAt: now,
            lastAccessAt: now,
            absoluteDeadline: now + DAY,
            fence: 0,
          },
          data,
        });
        await store.commit(key, updating(now + 1, {}, ['v', 'n', 'a', 'x']));
        const after = await read(store, key, now + 2);
        expect(after.meta).toEqual({
          version: 2,
          createdAt: now,
          lastAccessAt: now + 1,
          absoluteDeadline: now + DAY,
          fence: 0,
        });
        expect(Object.keys(after.data).sort()).toEqual(
          ['c', 'f', 'fence', 'p', 't', 'version'].sort(),
        );
      });
    });

    describeWith('principalIndex')('principal index (updateIndex, describe)', () => {
      let principalCounter = 0;
      const principal = () => `conf-principal-${process.pid}-${Date.now()}-${++principalCounter}`;

      it('adds, lists earliest deadline first, and removes members in one call', async () => {
        const id = principal();
        const now = futureNow();
        const [a, b, c] = [freshSession().key, freshSession().key, freshSession().key];
        await store.updateIndex(id, { now, add: { key: a, deadline: now + 3 * HOUR } });
        await store.updateIndex(id, { now, add: { key: b, deadline: now + HOUR } });
        const listed = await store.updateIndex(id, {
          now,
          add: { key: c, deadline: now + 2 * HOUR },
        });
        expect(listed).toEqual({
          removed: 0,
          sessions: [
            { key: b, deadline: now + HOUR },
            { key: c, deadline: now + 2 * HOUR },
            { key: a, deadline: now + 3 * HOUR },
          ],
        });
        const moved = freshSession().key;
        await expect(
          store.updateIndex(id, {
            now,
            remove: [c, freshSession().key],
            add: { key: moved, deadline: now + 2 * HOUR },
          }),
        ).resolves.toEqual({
          removed: 1,
          sessions: [
            { key: b, deadline: now + HOUR },
            { key: moved, deadline: now + 2 * HOUR },
            { key: a, deadline: now + 3 * HOUR },
          ],
        });
      });

      it('prunes members whose deadline passed, and keeps principals apart', async () => {
        const [alice, bob] = [principal(), principal()];
        const now = futureNow();
        const [early, late] = [freshSession().key, freshSession().key];
        await store.updateIndex(alice, { now, add: { key: early, deadline: now + SECOND } });
        await store.updateIndex(alice, { now, add: { key: late, deadline: now + HOUR } });
        await expect(store.updateIndex(bob, { now, remove: [early] })).resolves.toEqual({
          removed: 0,
          sessions: [],
        });
        await expect(store.updateIndex(alice, { now: now + SECOND })).resolves.toEqual({
          removed: 0,
          sessions: [{ key: late, deadline: now + HOUR }],
        });
        await expect(store.updateIndex(alice, { now, remove: [early] })).resolves.toEqual({
          removed: 0,
          sessions: [{ key: late, deadline: now + HOUR }],
        });
      });

      it('describes sessions without sliding them; gone or past-deadline ones are undefined', async () => {
        const now = futureNow();
        const live = freshSession().key;
        const idle = freshSession().key;
        await store.commit(
          live,
          creating(
            now,
            { a: json(1) },
            {
              meta: {
                principal: json({ id: 'p' }),
                userAgent: 'Firefox 1 on Linux',
                clientIp: '10.0.0.1',
              },
            },
          ),
        );
        await store.commit(idle, creating(now - 2 * HOUR + SECOND));
        const [first, second, third] = await store.describe([live, idle, freshSession().key], {
          now: now + SECOND,
          idleTimeoutMs: HOUR,
        });
        expect(first).toEqual({
          createdAt: now,
          lastAccessAt: now,
          absoluteDeadline: now + DAY,
          principal: json({ id: 'p' }),
          userAgent: 'Firefox 1 on Linux',
          clientIp: '10.0.0.1',
        });
        expect(second).toBeUndefined();
        expect(third).toBeUndefined();
        expect((await read(store, live, now + 2 * SECOND)).meta.lastAccessAt).toBe(now);
      });
    });

    describe('clearData', () => {
      itWith('locks')(
        'drops every data key except those set in the same commit and keeps metadata',
        async () => {
          const { key } = freshSession();
          const now = futureNow();
          await store.commit(
            key,
            creating(
              now,
              { a: json(1), b: json(2), keep: json('old') },
              { meta: { principal: 'alice', fingerprint: 'fp', authenticatedAt: now } },
            ),
          );
          await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));

          await expect(
            store.commit(
              key,
              updating(now + 2, { keep: json('new'), fresh: json(true) }, [], { clearData: true }),
            ),
          ).resolves.toMatchObject({ status: 'committed', version: 2 });
          expect(await read(store, key, now + 3)).toEqual({
            meta: {
              version: 2,
              createdAt: now,
              lastAccessAt: now + 2,
              absoluteDeadline: now + DAY,
              fence: 1,
              principal: 'alice',
              fingerprint: 'fp',
              authenticatedAt: now,
            },
            data: { keep: json('new'), fresh: json(true) },
          });

          await store.commit(key, updating(now + 4, {}, [], { clearData: true }));
          const empty = await read(store, key, now + 5);
          expect(empty.data).toEqual({});
          expect(empty.meta).toMatchObject({ version: 3, principal: 'alice', fence: 1 });
        },
      );
    });

    describe('moveTo (regeneration)', () => {
      itWith('versions', 'locks')(
        'moves the session to the new key with its data and the changes of the commit',
        async () => {
          const { token, key } = freshSession();
          const renewed = renewSessionToken(token);
          const newKey = sessionKeyOf(renewed);
          expect(newKey.tag).toBe(key.tag);
          expect(newKey.secretHash).not.toBe(key.secretHash);
          const now = futureNow();
          await store.commit(key, creating(now, { a: json(1), b: json(2) }));
          await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));

          await expect(
            store.commit(
              key,
              updating(now + 2, { c: json(3) }, ['b'], {
                moveTo: newKey,
                expectedVersion: 1,
                fence: 1,
                meta: { principal: 'bob', authenticatedAt: now + 2 },
              }),
            ),
          ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 2 + HOUR });

          await expect(store.load(key, loadingAt(now + 3))).resolves.toEqual({ status: 'missing' });
          expect(await read(store, newKey, now + 3)).toEqual({
            meta: {
              version: 2,
              createdAt: now,
              lastAccessAt: now + 2,
              absoluteDeadline: now + DAY,
              fence: 1,
              principal: 'bob',
              authenticatedAt: now + 2,
            },
            data: { a: json(1), c: json(3) },
          });
          // The old key no longer names anything: updates through it are gone, destroy finds nothing.
          await expect(store.commit(key, updating(now + 4, { z: json(0) }))).resolves.toEqual({
            status: 'gone',
          });
          await expect(store.destroy(key)).resolves.toBe(false);
          await expect(store.load(key, loadingAt(now + 5))).resolves.toEqual({ status: 'missing' });
          expect((await read(store, newKey, now + 5)).data).toEqual({ a: json(1), c: json(3) });
        },
      );

      it('moves without data when clearData is given', async () => {
        const { token, key } = freshSession();
        const newKey = sessionKeyOf(renewSessionToken(token));
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }, { meta: { principal: 'carol' } }));
        await expect(
          store.commit(
            key,
            updating(now + 1, { flash: json('hi') }, [], { moveTo: newKey, clearData: true }),
          ),
        ).resolves.toMatchObject({ status: 'committed', version: 2 });
        await expect(store.load(key, loadingAt(now + 2))).resolves.toEqual({ status: 'missing' });
        const moved = await read(store, newKey, now + 2);
        expect(moved.data).toEqual({ flash: json('hi') });
        expect(moved.meta).toMatchObject({ version: 2, principal: 'carol', createdAt: now });
      });

      itWith('versions', 'locks')(
        'does not move a session that is gone, conflicting or fenced',
        async () => {
          const { token, key } = freshSession();
          const now = futureNow();
          const unknownTarget = sessionKeyOf(renewSessionToken(token));
          await expect(
            store.commit(key, updating(now, { a: json(1) }, [], { moveTo: unknownTarget })),
          ).resolves.toEqual({ status: 'gone' });
          await expect(store.load(unknownTarget, loadingAt(now))).resolves.toEqual({
            status: 'missing',
          });

          await store.commit(key, creating(now, { a: json(1) }));
          await loadFound(store, key, loadingAt(now + 1, { raiseFence: true }));
          const conflictTarget = sessionKeyOf(renewSessionToken(token));
          await expect(
            store.commit(
              key,
              updating(now + 2, {}, [], { moveTo: conflictTarget, expectedVersion: 0 }),
            ),
          ).resolves.toEqual({ status: 'conflict', storedVersion: 1 });
          const fencedTarget = sessionKeyOf(renewSessionToken(token));
          await expect(
            store.commit(key, updating(now + 2, {}, [], { moveTo: fencedTarget, fence: 0 })),
          ).resolves.toEqual({ status: 'fenced', storedFence: 1 });

          for (const target of [conflictTarget, fencedTarget]) {
            await expect(store.load(target, loadingAt(now + 3))).resolves.toEqual({
              status: 'missing',
            });
          }
          expect((await read(store, key, now + 3)).meta).toMatchObject({ version: 1, fence: 1 });
        },
      );
    });

    describeWith('rotation')('rotation (grace pointers)', () => {
      /** A stored session and a rotation of it to a new key (same tag) with `graceMs`. */
      async function rotated(graceMs: number) {
        const { token, key } = freshSession();
        const newKey = sessionKeyOf(renewSessionToken(token));
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }, { meta: { principal: 'dora' } }));
        await expect(
          store.commit(
            key,
            updating(now + 1, {}, [], {
              moveTo: newKey,
              rotation: { graceMs },
              meta: { rotatedAt: now + 1 },
            }),
          ),
        ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: now + 1 + HOUR });
        return { token, key, newKey, now };
      }

      it('without grace, the old key is dead at once and the new one holds the session', async () => {
        const { key, newKey, now } = await rotated(0);
        await expect(store.load(key, loadingAt(now + 2))).resolves.toEqual({ status: 'missing' });
        await expect(store.commit(key, updating(now + 2, { z: json(0) }))).resolves.toEqual({
          status: 'gone',
        });
        const found = await loadFound(store, newKey, loadingAt(now + 2));
        expect(found.aliased).toBeUndefined();
        expect(found.session.meta).toMatchObject({ rotatedAt: now + 1, principal: 'dora' });
        expect(found.session.data).toEqual({ a: json(1) });
      });

      it('within the grace, loads and commits through the old key reach the session', async () => {
        const { key, newKey, now } = await rotated(5 * SECOND);
        const viaOld = await loadFound(store, key, loadingAt(now + 2));
        expect(viaOld.aliased).toBe(true);
        expect(viaOld.session.data).toEqual({ a: json(1) });
        expect(viaOld.session.meta).toMatchObject({ version: 2, rotatedAt: now + 1 });

        await expect(store.commit(key, updating(now + 3, { b: json(2) }))).resolves.toEqual({
          status: 'committed',
          version: 3,
          expiresAt: now + 3 + HOUR,
          aliased: true,
        });
        const viaNew = await loadFound(store, newKey, loadingAt(now + 4));
        expect(viaNew.aliased).toBeUndefined();
        expect(viaNew.session.data).toEqual({ a: json(1), b: json(2) });
      });

      it('a second rotation through the pointer (a concurrent request) does not move it again', async () => {
        const { token, key, newKey, now } = await rotated(5 * SECOND);
        const racing = sessionKeyOf(renewSessionToken(token));
        await expect(
          store.commit(
            key,
            updating(now + 2, { c: json(3) }, [], {
              moveTo: racing,
              rotation: { graceMs: 5 * SECOND },
              meta: { rotatedAt: now + 2 },
            }),
          ),
        ).resolves.toMatchObject({ status: 'committed', version: 3, aliased: true });
        await expect(store.load(racing, loadingAt(now + 3))).resolves.toEqual({
          status: 'missing',
        });
        expect((await read(store, newKey, now + 3)).data).toEqual({ a: json(1), c: json(3) });
      });

      it('a regeneration through the pointer moves the session and kills the old key', async () => {
        const { token, key, newKey, now } = await rotated(5 * SECOND);
        const signedIn = sessionKeyOf(renewSessionToken(token));
        await expect(
          store.commit(key, updating(now + 2, {}, [], { moveTo: signedIn })),
        ).resolves.toMatchObject({ status: 'committed', version: 3, aliased: true });
        for (const dead of [key, newKey]) {
          await expect(store.load(dead, loadingAt(now + 3))).resolves.toEqual({
            status: 'missing',
          });
        }
        expect((await read(store, signedIn, now + 3)).data).toEqual({ a: json(1) });
      });

      it('destroy through the pointer ends the session', async () => {
        const { key, newKey, now } = await rotated(5 * SECOND);
        await expect(store.destroy(key)).resolves.toBe(true);
        await expect(store.load(newKey, loadingAt(now + 2))).resolves.toEqual({
          status: 'missing',
        });
        await expect(store.load(key, loadingAt(now + 2))).resolves.toEqual({ status: 'missing' });
      });

      it('after the grace, the old key is dead and the session lives on under the new one', async () => {
        const { key, newKey, now } = await rotated(300);
        await loadFound(store, key, loadingAt(now + 2));
        // Redis expires the pointer on its own clock, the memory store on the one it is given.
        await new Promise((resolve) => setTimeout(resolve, 400));
        await expect(store.load(key, loadingAt(now + 400))).resolves.toEqual({
          status: 'missing',
        });
        await expect(store.commit(key, updating(now + 400, { z: json(0) }))).resolves.toEqual({
          status: 'gone',
        });
        expect((await read(store, newKey, now + 401)).data).toEqual({ a: json(1) });
      });
    });

    describeWith('expiry')('deadlines', () => {
      const IDLE = 200;

      it('expires a session idle for idleTimeoutMs, then forgets it', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, {
          now,
          idleTimeoutMs: IDLE,
          create: { absoluteDeadline: now + DAY },
          set: { a: json(1) },
          delete: [],
        });
        const idle = { idleTimeoutMs: IDLE, slideAfterMs: NO_SLIDE };

        const justBefore = await loadFound(store, key, { now: now + IDLE - 1, ...idle });
        expect(justBefore.slid).toBe(false);
        expect(justBefore.session.meta.lastAccessAt).toBe(now);

        await expect(store.load(key, { now: now + IDLE, ...idle })).resolves.toEqual({
          status: 'expired',
        });
        await expect(store.load(key, { now: now + IDLE, ...idle })).resolves.toEqual({
          status: 'missing',
        });
        await expect(store.destroy(key)).resolves.toBe(false);
      });

      it("refuses a commit after the idle deadline with 'gone' and drops the session", async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, {
          now,
          idleTimeoutMs: IDLE,
          create: { absoluteDeadline: now + DAY },
          set: { a: json(1) },
          delete: [],
        });
        await expect(
          store.commit(key, {
            now: now + IDLE,
            idleTimeoutMs: IDLE,
            set: { b: json(2) },
            delete: [],
          }),
        ).resolves.toEqual({ status: 'gone' });
        await expect(
          store.load(key, { now: now + 1, idleTimeoutMs: IDLE, slideAfterMs: NO_SLIDE }),
        ).resolves.toEqual({ status: 'missing' });
      });

      it('expires a session at its absolute deadline even if it was just used', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const absoluteDeadline = now + 10 * SECOND;
        await expect(
          store.commit(key, {
            now,
            idleTimeoutMs: HOUR,
            create: { absoluteDeadline },
            set: { a: json(1) },
            delete: [],
          }),
        ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: absoluteDeadline });

        const used = await loadFound(
          store,
          key,
          loadingAt(absoluteDeadline - 2, { slideAfterMs: 0 }),
        );
        expect(used.slid).toBe(true);
        await expect(
          store.commit(key, updating(absoluteDeadline - 1, { b: json(2) })),
        ).resolves.toEqual({ status: 'committed', version: 2, expiresAt: absoluteDeadline });

        await expect(store.load(key, loadingAt(absoluteDeadline))).resolves.toEqual({
          status: 'expired',
        });
        await expect(store.load(key, loadingAt(absoluteDeadline - 1))).resolves.toEqual({
          status: 'missing',
        });
      });

      it("refuses a commit at the absolute deadline with 'gone'", async () => {
        const { key } = freshSession();
        const now = futureNow();
        const absoluteDeadline = now + 10 * SECOND;
        await store.commit(key, creating(now, {}, { create: { absoluteDeadline } }));
        await expect(
          store.commit(key, updating(absoluteDeadline, { b: json(2) })),
        ).resolves.toEqual({ status: 'gone' });
        await expect(store.load(key, loadingAt(now))).resolves.toEqual({ status: 'missing' });
      });
    });

    describeWith('expiry')('sliding', () => {
      it('slides lastAccessAt to now once slideAfterMs has passed, not before', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));

        const notDue = await loadFound(store, key, loadingAt(now + 99, { slideAfterMs: 100 }));
        expect(notDue.slid).toBe(false);
        expect(notDue.session.meta.lastAccessAt).toBe(now);

        const due = await loadFound(store, key, loadingAt(now + 100, { slideAfterMs: 100 }));
        expect(due.slid).toBe(true);
        expect(due.session.meta.lastAccessAt).toBe(now + 100);

        const always = await loadFound(store, key, loadingAt(now + 150, { slideAfterMs: 0 }));
        expect(always.slid).toBe(true);
        expect(always.session.meta.lastAccessAt).toBe(now + 150);

        const never = await loadFound(store, key, loadingAt(now + 5000, { slideAfterMs: HOUR }));
        expect(never.slid).toBe(false);
        expect(never.session.meta.lastAccessAt).toBe(now + 150);

        // The slide is stored, not only reported; it does not raise the version.
        expect((await read(store, key, now + 6000)).meta).toEqual({
          version: 1,
          createdAt: now,
          lastAccessAt: now + 150,
          absoluteDeadline: now + DAY,
          fence: 0,
        });
      });

      it('moves the idle deadline with the slide', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const options = { idleTimeoutMs: 200 };
        await store.commit(key, {
          now,
          idleTimeoutMs: 200,
          create: { absoluteDeadline: now + DAY },
          set: {},
          delete: [],
        });
        const slid = await loadFound(store, key, { now: now + 150, slideAfterMs: 0, ...options });
        expect(slid.slid).toBe(true);
        // Past the original idle deadline (now + 200), before the slid one (now + 350).
        const kept = await loadFound(store, key, {
          now: now + 349,
          slideAfterMs: NO_SLIDE,
          ...options,
        });
        expect(kept.session.meta.lastAccessAt).toBe(now + 150);
        await expect(
          store.load(key, { now: now + 350, slideAfterMs: NO_SLIDE, ...options }),
        ).resolves.toEqual({ status: 'expired' });
      });
    });

    describe('destroy', () => {
      it('removes a session: true when it existed, then false', async () => {
        const { key } = freshSession();
        const other = freshSession();
        const now = futureNow();
        await store.commit(key, creating(now, { a: json(1) }));
        await store.commit(other.key, creating(now, { a: json('other') }));
        await expect(store.destroy(key)).resolves.toBe(true);
        await expect(store.destroy(key)).resolves.toBe(false);
        await expect(store.load(key, loadingAt(now))).resolves.toEqual({ status: 'missing' });
        expect((await read(store, other.key, now)).data).toEqual({ a: json('other') });
        await expect(store.destroy(freshSession().key)).resolves.toBe(false);
      });
    });

    describe('values and field names', () => {
      it('round-trips unicode, 10 KB strings and field names with dots and colons', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const big = 'x'.repeat(10 * 1024);
        const bigUnicode = 'Grüße 世界 🎉 '.repeat(700);
        const data: Record<string, string> = {
          'user.profile': json({ name: 'Zoë Ångström', city: 'Zürich' }),
          'cart:items': json([{ sku: 'A:1', qty: 2 }]),
          'a.b:c.d': json('dotted:coloned'),
          '.leading.dot': json('leading dot'),
          'trailing:': json('trailing colon'),
          'ключ 🔑': json('значение'),
          emoji: json('🎉🚀 \u0000 nul, \n newline, "quotes", \\ backslash'),
          big: json(big),
          bigUnicode: json(bigUnicode),
          numbers: json([0, -1, 1.5, 1e21, 9007199254740991]),
          empty: json(''),
          nil: json(null),
        };
        expect(Buffer.byteLength(data.bigUnicode ?? '')).toBeGreaterThan(10 * 1024);
        await store.commit(key, creating(now, data));
        const loaded = await read(store, key, now);
        expect(loaded.data).toEqual(data);
        expect(JSON.parse(loaded.data.big ?? '""')).toHaveLength(10 * 1024);
        expect(JSON.parse(loaded.data.bigUnicode ?? '""')).toBe(bigUnicode);

        await store.commit(
          key,
          updating(now + 1, { 'user.profile': json({ name: '李雷' }) }, [
            'cart:items',
            '.leading.dot',
          ]),
        );
        const expected: Record<string, string> = {
          ...data,
          'user.profile': json({ name: '李雷' }),
        };
        delete expected['cart:items'];
        delete expected['.leading.dot'];
        expect((await read(store, key, now + 2)).data).toEqual(expected);
      });

      it('commits 200 fields at once, and deletes 200 at once', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const many: Record<string, string> = {};
        for (let i = 0; i < 200; i += 1) many[`field:${i}`] = json({ i, label: `value ${i}` });
        await expect(store.commit(key, creating(now, many))).resolves.toMatchObject({
          status: 'committed',
          version: 1,
        });
        expect(await read(store, key, now)).toEqual({
          meta: {
            version: 1,
            createdAt: now,
            lastAccessAt: now,
            absoluteDeadline: now + DAY,
            fence: 0,
          },
          data: many,
        });

        const next: Record<string, string> = {};
        for (let i = 200; i < 400; i += 1) next[`field:${i}`] = json(i);
        await expect(
          store.commit(key, updating(now + 1, next, Object.keys(many))),
        ).resolves.toMatchObject({ status: 'committed', version: 2 });
        expect((await read(store, key, now + 2)).data).toEqual(next);

        await store.commit(key, updating(now + 3, { only: json(1) }, [], { clearData: true }));
        expect((await read(store, key, now + 4)).data).toEqual({ only: json(1) });
      });

      it('commits 5000 fields and deletes 9000 in one change (no Lua stack overflow)', async () => {
        const { key, token } = freshSession();
        const now = futureNow();
        const many: Record<string, string> = {};
        for (let i = 0; i < 5000; i += 1) many[`f${i}`] = json(i);
        await expect(store.commit(key, creating(now, many))).resolves.toMatchObject({
          status: 'committed',
        });
        const target = sessionKeyOf(renewSessionToken(token));
        const absent = Array.from({ length: 4000 }, (_, i) => `absent${i}`);
        await expect(
          store.commit(
            key,
            updating(now + 1, {}, [...Object.keys(many), ...absent], { moveTo: target }),
          ),
        ).resolves.toMatchObject({ status: 'committed', version: 2 });
        expect((await read(store, target, now + 2)).data).toEqual({});
      });

      it('creates over a session whose deadline has passed', async () => {
        const { key } = freshSession();
        const now = futureNow();
        await store.commit(key, { ...creating(now, { old: json(1) }), idleTimeoutMs: 200 });
        await expect(
          store.commit(key, { ...creating(now + 1000, { fresh: json(2) }), idleTimeoutMs: 200 }),
        ).resolves.toMatchObject({ status: 'committed', version: 1 });
        expect(
          (await loadFound(store, key, { ...loadingAt(now + 1001), idleTimeoutMs: 200 })).session
            .data,
        ).toEqual({
          fresh: json(2),
        });
      });

      it('keeps a data key named __proto__ as a key', async () => {
        const { key } = freshSession();
        const now = futureNow();
        const set = Object.fromEntries([
          ['__proto__', json({ x: 1 })],
          ['constructor', json(2)],
        ]);
        await store.commit(key, creating(now, set));
        const data = (await read(store, key, now)).data;
        expect(Object.keys(data).sort()).toEqual(['__proto__', 'constructor']);
        expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      });
    });

    if (options.redis) {
      describe('Redis key layout and expiry', () => {
        function redisStore(): RedisSessionStore {
          expect(store).toBeInstanceOf(RedisSessionStore);
          if (!(store instanceof RedisSessionStore)) throw new Error('not a RedisSessionStore');
          return store;
        }

        /** Checks PTTL of `redisKey` against `expiresAt` on the real clock. */
        async function expectTtlNear(
          redis: RedisSessionStore,
          redisKey: string,
          expiresAt: number,
        ) {
          const before = Date.now();
          const pttl = await redis.client.pttl(redisKey);
          const after = Date.now();
          expect(pttl).toBeGreaterThan(0);
          expect(pttl).toBeGreaterThanOrEqual(expiresAt - after - 50);
          expect(pttl).toBeLessThanOrEqual(expiresAt - before + 50);
        }

        it('sets the key TTL to min(now + idle, absolute deadline) − real now', async () => {
          const redis = redisStore();
          const idleFirst = freshSession();
          let now = Date.now();
          await expect(
            redis.commit(idleFirst.key, {
              now,
              idleTimeoutMs: 60_000,
              create: { absoluteDeadline: now + HOUR },
              set: { a: json(1) },
              delete: [],
            }),
          ).resolves.toEqual({ status: 'committed', version: 1, expiresAt: now + 60_000 });
          await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 60_000);

          const absoluteFirst = freshSession();
          now = Date.now();
          await redis.commit(absoluteFirst.key, {
            now,
            idleTimeoutMs: 60_000,
            create: { absoluteDeadline: now + 5000 },
            set: {},
            delete: [],
          });
          await expectTtlNear(redis, redis.keyOf(absoluteFirst.key), now + 5000);

          // An update re-arms the expiry from its own `now`.
          now = Date.now();
          await expect(
            redis.commit(
              idleFirst.key,
              updating(now + 2000, { b: json(2) }, [], {
                idleTimeoutMs: 20_000,
              }),
            ),
          ).resolves.toMatchObject({ status: 'committed', expiresAt: now + 22_000 });
          await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 22_000);

          // A slide does too; a load that does not slide leaves it.
          now = Date.now();
          await loadFound(redis, idleFirst.key, {
            now: now + 5000,
            idleTimeoutMs: 30_000,
            slideAfterMs: 0,
          });
          await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 35_000);
          await loadFound(redis, idleFirst.key, {
            now: now + 6000,
            idleTimeoutMs: 50_000,
            slideAfterMs: NO_SLIDE,
          });
          await expectTtlNear(redis, redis.keyOf(idleFirst.key), now + 35_000);
        });

        it('keeps a TTL on the key a session was moved to', async () => {
          const redis = redisStore();
          const { token, key } = freshSession();
          const newKey = sessionKeyOf(renewSessionToken(token));
          const now = Date.now();
          await redis.commit(key, creating(now, { a: json(1) }));
          await redis.commit(key, updating(now, {}, [], { moveTo: newKey, idleTimeoutMs: 40_000 }));
          expect(await redis.client.exists(redis.keyOf(key))).toBe(0);
          await expectTtlNear(redis, redis.keyOf(newKey), now + 40_000);
        });

        it('names keys by the hash of the secret, never the raw secret', async () => {
          const redis = redisStore();
          const { token, key } = freshSession();
          const moved = renewSessionToken(token);
          const now = futureNow();
          await redis.commit(key, creating(now, { token: json('not the secret') }));
          const prefix = prefixOf(redis);
          let keys = await scanKeys(redis.client, `${prefix}*`);
          expect(keys).toContain(redis.keyOf(key));
          expect(redis.keyOf(key)).toBe(`${prefix}{${token.tag}}${key.secretHash}`);
          for (const name of keys) expect(name.includes(token.secret)).toBe(false);
          const fields = await redis.client.hgetall(redis.keyOf(key));
          expect(Object.entries(fields).flat().join('\n').includes(token.secret)).toBe(false);

          await redis.commit(key, updating(now + 1, {}, [], { moveTo: sessionKeyOf(moved) }));
          keys = await scanKeys(redis.client, `${prefix}*`);
          expect(keys).toContain(redis.keyOf(sessionKeyOf(moved)));
          expect(keys).not.toContain(redis.keyOf(key));
          for (const name of keys) {
            expect(name.startsWith(prefix)).toBe(true);
            expect(name.includes(token.secret)).toBe(false);
            expect(name.includes(moved.secret)).toBe(false);
          }
        });

        it('removes the Redis key on destroy and on expiry', async () => {
          const redis = redisStore();
          const { key } = freshSession();
          const now = futureNow();
          await redis.commit(key, creating(now));
          expect(await redis.client.exists(redis.keyOf(key))).toBe(1);
          await expect(redis.destroy(key)).resolves.toBe(true);
          expect(await redis.client.exists(redis.keyOf(key))).toBe(0);
          await expect(redis.destroy(key)).resolves.toBe(false);

          const expiring = freshSession();
          await redis.commit(expiring.key, creating(now));
          await expect(redis.load(expiring.key, loadingAt(now + HOUR))).resolves.toEqual({
            status: 'expired',
          });
          expect(await redis.client.exists(redis.keyOf(expiring.key))).toBe(0);
        });
      });
    }
  });
}
