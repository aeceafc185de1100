/// <reference types="jest" />
import type { SessionStore } from '../../index.js';
import { renewSessionToken, sessionKeyOf } from '../../security/session-token.js';
import {
  type ConformanceSuite,
  creating,
  freshSession,
  futureNow,
  json,
  loadFound,
  loadingAt,
  read,
  storedMeta,
  updating,
} from './conformance-helpers.js';

/** Values and field names that must round-trip unchanged, and large changes. */
export function describeValuesAndFieldNames(suite: ConformanceSuite): void {
  let store: SessionStore;
  beforeAll(() => {
    store = suite.store();
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
        meta: storedMeta(now),
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
      const idle = { idleTimeoutMs: 200 };
      await store.commit(key, creating(now, { old: json(1) }, idle));
      await expect(
        store.commit(key, creating(now + 1000, { fresh: json(2) }, idle)),
      ).resolves.toMatchObject({ status: 'committed', version: 1 });
      expect((await loadFound(store, key, loadingAt(now + 1001, idle))).session.data).toEqual({
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
}
