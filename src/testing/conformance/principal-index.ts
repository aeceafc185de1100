/// <reference types="jest" />
import type { SessionStore } from '../../index.js';
import {
  type ConformanceSuite,
  creating,
  DAY,
  freshSession,
  futureNow,
  HOUR,
  json,
  read,
  SECOND,
} from './conformance-helpers.js';

/** The per-principal index (`updateIndex`) and `describe`, which lists a principal's sessions. */
export function describePrincipalIndex(suite: ConformanceSuite): void {
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
  });

  suite.describeWith('principalIndex')('principal index (updateIndex, describe)', () => {
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
}
