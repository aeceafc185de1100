import { deserializeValue, isSafeKey, serializeValue } from './session-serializer.js';
import { SessionError, SessionSerializationError } from './session.errors.js';

const WHEN = new Date('2024-03-01T12:34:56.789Z');
const LATER = new Date('2025-12-31T23:59:59.000Z');

function roundTrip(value: unknown): unknown {
  return deserializeValue(serializeValue('key', value));
}

function serializationError(key: string, value: unknown): SessionSerializationError {
  try {
    serializeValue(key, value);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionSerializationError);
    return error as SessionSerializationError;
  }
  throw new Error(`serializeValue("${key}") did not throw`);
}

describe('serializeValue / deserializeValue', () => {
  it.each([
    ['a string', 'dark'],
    ['a number', 42.5],
    ['zero', 0],
    ['false', false],
    ['null', null],
    ['an array', [1, 'two', null, true]],
    ['a nested object', { a: { b: { c: [1, { d: 'e' }] } } }],
    ['an empty object', {}],
    ['a string that looks like an ISO date', '2024-03-01T12:34:56.789Z'],
  ])('round-trips %s unchanged', (_name, value) => {
    expect(roundTrip(value)).toEqual(value);
  });

  it('round-trips a top-level Date as a Date', () => {
    const back = roundTrip(WHEN);
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).toISOString()).toBe('2024-03-01T12:34:56.789Z');
  });

  it('stores a Date in tagged form', () => {
    expect(serializeValue('when', WHEN)).toBe('{"$$date":"2024-03-01T12:34:56.789Z"}');
  });

  it('round-trips Dates nested in objects and arrays', () => {
    const back = roundTrip({
      user: { signedUpAt: WHEN, name: 'ann' },
      history: [WHEN, { at: LATER }, 'text'],
      grid: [[WHEN]],
    }) as {
      user: { signedUpAt: unknown; name: unknown };
      history: [unknown, { at: unknown }, unknown];
      grid: [[unknown]];
    };
    expect(back.user.signedUpAt).toBeInstanceOf(Date);
    expect((back.user.signedUpAt as Date).getTime()).toBe(WHEN.getTime());
    expect(back.user.name).toBe('ann');
    expect(back.history[0]).toBeInstanceOf(Date);
    expect((back.history[0] as Date).getTime()).toBe(WHEN.getTime());
    expect(back.history[1].at).toBeInstanceOf(Date);
    expect((back.history[1].at as Date).getTime()).toBe(LATER.getTime());
    expect(back.history[2]).toBe('text');
    expect(back.grid[0][0]).toBeInstanceOf(Date);
    expect((back.grid[0][0] as Date).getTime()).toBe(WHEN.getTime());
  });

  it('does not turn an object with "$$date" and another key into a Date', () => {
    const value = { $$date: '2024-03-01T12:34:56.789Z', other: 1 };
    const back = roundTrip(value);
    expect(back).not.toBeInstanceOf(Date);
    expect(back).toEqual(value);
  });

  it('does not turn "$$date" with a non-string value into a Date', () => {
    const back = roundTrip({ $$date: 1709296496789 });
    expect(back).not.toBeInstanceOf(Date);
    expect(back).toEqual({ $$date: 1709296496789 });
  });

  it('keeps user data shaped like the date marker as data (keys escaped)', () => {
    expect(serializeValue('k', { $$date: 'hello' })).toBe('{"$$$date":"hello"}');
    expect(roundTrip({ $$date: 'hello' })).toEqual({ $$date: 'hello' });
    expect(roundTrip([{ $$date: '2024-01-01T00:00:00.000Z' }])).toEqual([
      { $$date: '2024-01-01T00:00:00.000Z' },
    ]);
    expect(roundTrip({ $$$x: 1, $y: 2 })).toEqual({ $$$x: 1, $y: 2 });
  });

  it('rejects a Map and a Set instead of storing {}', () => {
    expect(serializationError('m', new Map([[1, 2]])).message).toContain('Map');
    expect(serializationError('s', new Set([1])).message).toContain('Set');
  });

  describe('values JSON cannot hold', () => {
    it('rejects a BigInt, naming the key', () => {
      const error = serializationError('counter', 10n);
      expect(error).toBeInstanceOf(SessionError);
      expect(error.name).toBe('SessionSerializationError');
      expect(error.message).toContain('Session key "counter"');
      expect(error.message).toContain('BigInt');
      expect(error.cause).toBeInstanceOf(TypeError);
    });

    it('rejects a BigInt nested in an object, naming the key', () => {
      expect(serializationError('stats', { views: 3n }).message).toContain('Session key "stats"');
    });

    it('rejects a cyclic object, naming the key', () => {
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;
      const error = serializationError('graph', cyclic);
      expect(error.message).toContain('Session key "graph"');
      expect(error.message).toMatch(/circular/i);
    });

    it('rejects a function at the top level, naming the key', () => {
      const error = serializationError('callback', () => 1);
      expect(error.message).toContain('Session key "callback"');
      expect(error.message).toContain('a function at "callback"');
    });

    it('rejects a function nested in an object, naming the key and the nested property', () => {
      const error = serializationError('prefs', { theme: 'dark', onChange: () => undefined });
      expect(error.message).toContain('Session key "prefs"');
      expect(error.message).toContain('a function at "onChange"');
    });

    it('rejects a function inside an array', () => {
      const error = serializationError('list', [1, () => 2]);
      expect(error.message).toContain('Session key "list"');
      expect(error.message).toContain('function');
    });

    it('rejects a symbol at the top level, naming the key', () => {
      const error = serializationError('marker', Symbol('x'));
      expect(error.message).toContain('Session key "marker"');
      expect(error.message).toContain('a symbol at "marker"');
    });

    it('rejects a symbol nested in an object, naming the key', () => {
      const error = serializationError('tags', { kind: Symbol('x') });
      expect(error.message).toContain('Session key "tags"');
      expect(error.message).toContain('a symbol at "kind"');
    });

    it('rejects undefined at the top level, naming the key', () => {
      expect(serializationError('nothing', undefined).message).toContain('Session key "nothing"');
    });

    it('rejects an invalid Date, naming the key', () => {
      expect(serializationError('broken', new Date(Number.NaN)).message).toContain(
        'Session key "broken"',
      );
    });

    it('tells the caller what can be stored', () => {
      expect(serializationError('x', 1n).message).toContain(
        'Store plain data: strings, numbers, booleans, null, arrays, plain objects and Dates.',
      );
    });
  });

  describe('__proto__ in stored JSON', () => {
    afterEach(() => {
      delete (Object.prototype as Record<string, unknown>).polluted;
    });

    it('drops a top-level __proto__ key without polluting Object.prototype', () => {
      const back = deserializeValue('{"__proto__":{"polluted":true},"a":1}') as Record<
        string,
        unknown
      >;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
      expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
      expect(back.polluted).toBeUndefined();
      expect(Object.keys(back)).toEqual(['a']);
      expect(Object.prototype.hasOwnProperty.call(back, '__proto__')).toBe(false);
      expect(back).toEqual({ a: 1 });
    });

    it('drops a nested __proto__ key, in objects and in arrays', () => {
      const back = deserializeValue(
        '{"a":{"__proto__":{"polluted":true},"b":2},"list":[{"__proto__":{"polluted":1},"c":3}]}',
      ) as { a: Record<string, unknown>; list: Record<string, unknown>[] };
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(back.a)).toBe(Object.prototype);
      expect(Object.keys(back.a)).toEqual(['b']);
      expect(back.a.polluted).toBeUndefined();
      expect(Object.keys(back.list[0]!)).toEqual(['c']);
      expect(back.list[0]!.polluted).toBeUndefined();
    });

    it('drops a __proto__ key spelled with \\u escapes, and revives an escaped date tag', () => {
      const back = deserializeValue(
        '{"\\u005f_proto__":{"polluted":true},"at":{"\\u0024$date":"2024-03-01T12:34:56.789Z"}}',
      ) as Record<string, unknown>;
      expect(Object.keys(back)).toEqual(['at']);
      expect(back.at).toBeInstanceOf(Date);
    });

    it('does not let a later merge of the value pollute Object.prototype', () => {
      const back = deserializeValue('{"__proto__":{"polluted":true}}') as object;
      const target: Record<string, unknown> = {};
      Object.assign(target, back);
      for (const [key, value] of Object.entries(back)) target[key] = value;
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    });
  });
});

describe('serializeValue on plain JSON and on everything else', () => {
  it.each([
    ['a plain nested value', { user: { id: 'u1', roles: ['a', 'b'] }, n: [1, null, true] }],
    [
      'a class instance',
      new (class Point {
        x = 1;
        y = 2;
      })(),
    ],
    ['a toJSON object', { toJSON: () => ({ shown: true }) }],
    ['a value nested deeper than the plain scan looks', nested(40)],
    ['an array with an undefined element', [1, undefined, 3]],
    ['an object with an undefined value', { kept: 1, dropped: undefined }],
  ])('writes %s as JSON.stringify does', (_name, value) => {
    expect(serializeValue('k', value)).toBe(JSON.stringify(value));
  });

  it('still escapes "$$" keys and tags Dates below a plain-looking top', () => {
    expect(serializeValue('k', { a: [{ $$x: 1 }] })).toBe('{"a":[{"$$$x":1}]}');
    expect(serializeValue('k', { a: { at: WHEN } })).toBe(
      '{"a":{"at":{"$$date":"2024-03-01T12:34:56.789Z"}}}',
    );
  });

  it('still refuses a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    serializationError('cycle', cycle);
  });
});

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = { level, value };
  return value;
}

describe('isSafeKey', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('rejects %s', (key) => {
    expect(isSafeKey(key)).toBe(false);
  });

  it.each(['cart', 'user', 'Constructor', '__proto', 'proto', 'userPrototype'])(
    'accepts %j',
    (key) => {
      expect(isSafeKey(key)).toBe(true);
    },
  );
});
