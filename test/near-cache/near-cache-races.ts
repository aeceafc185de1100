import type { Cluster, Redis } from 'ioredis';
import {
  dataOf,
  type Instance,
  loadOptions,
  newKey,
  setChange,
  startInstance,
  stopInstance,
} from './near-cache-fixture.js';

const PREFIX = 'ncr:';

/** Races and faults of the near cache, on the topology `connect` reaches. */
export function describeNearCacheRaces(
  topology: string,
  connect: () => Redis | Cluster,
  killSubscribers: () => Promise<unknown>,
): void {
  describe(`near cache under races and faults (${topology})`, () => {
    let a: Instance;
    let b: Instance;

    beforeAll(async () => {
      a = await startInstance(connect, PREFIX);
      b = await startInstance(connect, PREFIX);
    });
    afterAll(async () => {
      await stopInstance(a);
      await stopInstance(b);
    });

    async function created(data: Record<string, unknown>) {
      const key = newKey();
      const result = await a.store.commit(
        key,
        setChange(data, { create: { absoluteDeadline: Date.now() + 600_000 } }),
      );
      expect(result.status).toBe('committed');
      return key;
    }

    it('does not cache a load that read version 1 while a commit of version 2 was invalidated', async () => {
      const key = await created({ n: 1 });
      const held = b.gate.holdNextLoad();
      const racing = b.store.load(key, loadOptions());
      await held.arrived; // B's load has read n=1 from Redis
      await a.store.commit(key, setChange({ n: 2 }));
      held.release();
      expect(dataOf(await racing)).toEqual({ n: 1 }); // the racing load itself may be older
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 2 });
    });

    it('does not keep a session alive that was destroyed while a load of it was in flight', async () => {
      const key = await created({ secret: 'x' });
      const held = b.gate.holdNextLoad();
      const racing = b.store.load(key, loadOptions());
      await held.arrived;
      await a.store.destroy(key);
      held.release();
      await racing;
      expect((await b.store.load(key, loadOptions())).status).toBe('missing');
    });

    describe('rotation grace pointers', () => {
      async function rotated(data: Record<string, unknown>) {
        const oldKey = await created(data);
        const newKey_ = newKey(oldKey.tag);
        const moved = await a.store.commit(
          oldKey,
          setChange({}, { moveTo: newKey_, rotation: { graceMs: 60_000 } }),
        );
        expect(moved.status).toBe('committed');
        return { oldKey, newKey: newKey_ };
      }

      it('invalidates the new key when a commit through the old token lands there', async () => {
        const { oldKey, newKey: current } = await rotated({ n: 1 });
        expect(dataOf(await b.store.load(current, loadOptions()))).toEqual({ n: 1 });
        const through = await a.store.commit(oldKey, setChange({ n: 2 }));
        expect(through).toMatchObject({ status: 'committed', aliased: true });
        expect(dataOf(await b.store.load(current, loadOptions()))).toEqual({ n: 2 });
      });

      it('invalidates the new key when a destroy through the old token deletes it', async () => {
        const { oldKey, newKey: current } = await rotated({ n: 1 });
        expect(dataOf(await b.store.load(current, loadOptions()))).toEqual({ n: 1 });
        expect(await a.store.destroy(oldKey)).toBe(true);
        expect((await b.store.load(current, loadOptions())).status).toBe('missing');
      });

      it('never caches a copy read through a pointer', async () => {
        const { oldKey, newKey: current } = await rotated({ n: 1 });
        const first = await b.store.load(oldKey, loadOptions());
        expect(first).toMatchObject({ status: 'found', aliased: true });
        await a.store.commit(current, setChange({ n: 2 }));
        const again = await b.store.load(oldKey, loadOptions());
        expect(again).toMatchObject({ status: 'found', aliased: true });
        expect(dataOf(again)).toEqual({ n: 2 });
      });
    });

    it('drops every cached key of a revoked tag, also one a rotation moved it to', async () => {
      const oldKey = await created({ secret: 'x' });
      const moved = newKey(oldKey.tag);
      // A rotation without grace moved the session; B caches it under its new key.
      const rotation = await a.store.commit(
        oldKey,
        setChange({}, { moveTo: moved, rotation: { graceMs: 0 } }),
      );
      expect(rotation.status).toBe('committed');
      expect(dataOf(await b.store.load(moved, loadOptions()))).toEqual({ secret: 'x' });
      // A revocation that read the old key before the move revokes the whole tag.
      await a.store.destroy(oldKey, { until: Date.now() + 600_000 });
      expect((await b.store.load(moved, loadOptions())).status).toBe('missing');
    });

    it('neither serves nor fills while its subscription is lost, and starts empty after', async () => {
      const key = await created({ n: 1 });
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 1 });
      // Both subscribers drop; A's invalidations of the next commits reach nobody.
      await killSubscribers();
      await a.store.commit(key, setChange({ n: 2 }));
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 2 });
      await a.store.commit(key, setChange({ n: 3 }));
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 3 });
      await a.store.commit(key, setChange({ n: 4 }));
      expect(dataOf(await b.store.load(key, loadOptions()))).toEqual({ n: 4 });
    });
  });
}
