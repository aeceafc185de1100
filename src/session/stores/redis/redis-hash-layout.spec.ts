import { decodeSessionHash, encodeChange } from './redis-hash-layout.js';
import type { SessionChange } from '../session-store.js';

const BASE: Pick<SessionChange, 'now' | 'idleTimeoutMs'> = { now: 1_000, idleTimeoutMs: 60_000 };

describe('encodeChange', () => {
  it('prefixes every data field with "."', () => {
    expect(
      encodeChange({
        ...BASE,
        set: { cart: '[1,2]', theme: '"dark"' },
        delete: ['old', 'stale'],
      }),
    ).toEqual({ set: ['.cart', '[1,2]', '.theme', '"dark"'], delete: ['.old', '.stale'] });
  });

  it('gives data keys that look like metadata fields their own prefixed fields', () => {
    expect(
      encodeChange({ ...BASE, set: { v: '1', p: '"x"', '': '0' }, delete: ['n', 'x'] }),
    ).toEqual({ set: ['.v', '1', '.p', '"x"', '.', '0'], delete: ['.n', '.x'] });
  });

  it('gives empty lists for an empty change', () => {
    expect(encodeChange({ ...BASE, set: {}, delete: [] })).toEqual({ set: [], delete: [] });
    expect(encodeChange({ ...BASE, set: {}, delete: [], meta: {} })).toEqual({
      set: [],
      delete: [],
    });
  });

  it('sets metadata under its one-letter names, after the data fields', () => {
    expect(
      encodeChange({
        ...BASE,
        set: { a: '1' },
        delete: [],
        meta: { principal: '{"id":7}', fingerprint: 'fp-hmac', authenticatedAt: 1_700_000_000_000 },
      }),
    ).toEqual({
      set: ['.a', '1', 'p', '{"id":7}', 'f', 'fp-hmac', 't', '1700000000000'],
      delete: [],
    });
  });

  it('deletes metadata set to null, after the data fields', () => {
    expect(
      encodeChange({
        ...BASE,
        set: {},
        delete: ['gone'],
        meta: { principal: null, fingerprint: null, authenticatedAt: null },
      }),
    ).toEqual({ set: [], delete: ['.gone', 'p', 'f', 't'] });
  });

  it('leaves undefined metadata alone and mixes set and delete', () => {
    expect(
      encodeChange({
        ...BASE,
        set: {},
        delete: [],
        meta: { principal: null, authenticatedAt: 0 },
      }),
    ).toEqual({ set: ['t', '0'], delete: ['p'] });
  });

  it('keeps an empty-string principal as a value, not a delete', () => {
    expect(encodeChange({ ...BASE, set: {}, delete: [], meta: { principal: '' } })).toEqual({
      set: ['p', ''],
      delete: [],
    });
  });
});

describe('decodeSessionHash', () => {
  it('splits a flat HGETALL reply into metadata and data', () => {
    expect(
      decodeSessionHash([
        'v',
        '3',
        'c',
        '1000',
        'a',
        '2000',
        'x',
        '30000',
        'n',
        '5',
        '.cart',
        '[1,2]',
        '.theme',
        '"dark"',
      ]),
    ).toEqual({
      meta: { version: 3, createdAt: 1000, lastAccessAt: 2000, absoluteDeadline: 30000, fence: 5 },
      data: { cart: '[1,2]', theme: '"dark"' },
    });
  });

  it('reads the optional metadata when present', () => {
    const { meta } = decodeSessionHash([
      'v',
      '1',
      'p',
      '{"id":7}',
      'f',
      'fp-hmac',
      't',
      '1700000000000',
    ]);
    expect(meta).toEqual({
      version: 1,
      createdAt: 0,
      lastAccessAt: 0,
      absoluteDeadline: 0,
      fence: 0,
      principal: '{"id":7}',
      fingerprint: 'fp-hmac',
      authenticatedAt: 1_700_000_000_000,
    });
  });

  it('leaves absent optional metadata out instead of undefined', () => {
    const { meta } = decodeSessionHash(['v', '1']);
    expect(Object.keys(meta).sort()).toEqual(
      ['absoluteDeadline', 'createdAt', 'fence', 'lastAccessAt', 'version'].sort(),
    );
  });

  it('gives zeroed metadata and no data for an empty reply', () => {
    expect(decodeSessionHash([])).toEqual({
      meta: { version: 0, createdAt: 0, lastAccessAt: 0, absoluteDeadline: 0, fence: 0 },
      data: {},
    });
  });

  it('keeps a data key named "v" apart from the version field', () => {
    const { meta, data } = decodeSessionHash(['.v', '"data-v"', 'v', '9', '.p', '"data-p"']);
    expect(meta.version).toBe(9);
    expect(meta.principal).toBeUndefined();
    expect(data).toEqual({ v: '"data-v"', p: '"data-p"' });
  });

  it('keeps a data key named "v" apart from the version field through encode and decode', () => {
    const { set } = encodeChange({ ...BASE, set: { v: '"mine"' }, delete: [] });
    const { meta, data } = decodeSessionHash(['v', '4', ...set]);
    expect(meta.version).toBe(4);
    expect(data).toEqual({ v: '"mine"' });
  });

  it('decodes what encodeChange set, with data keys that contain dots', () => {
    const { set } = encodeChange({
      ...BASE,
      set: { 'a.b': '1', '.hidden': '2' },
      delete: [],
      meta: { principal: 'ann', authenticatedAt: 42 },
    });
    expect(decodeSessionHash(['v', '1', ...set])).toEqual({
      meta: {
        version: 1,
        createdAt: 0,
        lastAccessAt: 0,
        absoluteDeadline: 0,
        fence: 0,
        principal: 'ann',
        authenticatedAt: 42,
      },
      data: { 'a.b': '1', '.hidden': '2' },
    });
  });

  it('ignores a trailing field without a value', () => {
    expect(decodeSessionHash(['v', '2', '.lonely']).data).toEqual({});
  });
});
