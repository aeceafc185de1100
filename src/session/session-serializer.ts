import { SessionSerializationError } from './session.errors.js';

/** Marks a `Date` in stored JSON so that it comes back as a `Date`. */
const DATE_TAG = '$$date';
/**
 * Object keys of user data that start with this get one more '$' when stored and lose it when
 * read, so user data can never look like a {@link DATE_TAG}.
 */
const ESCAPED_KEY_PREFIX = '$$';
/** Keys that reach an object's prototype when assigned; never read back from the store. */
const PROTO_KEY = '__proto__';
/** Top-level keys that are not session data even if a store holds them. */
const UNSAFE_TOP_LEVEL_KEYS = new Set([PROTO_KEY, 'constructor', 'prototype']);

/** Whether a top-level session key may be stored and assigned back onto a session. */
export function isSafeKey(key: string): boolean {
  return !UNSAFE_TOP_LEVEL_KEYS.has(key);
}

/**
 * JSON of one session value. Dates round-trip; BigInt, cycles, functions, symbols, Maps and Sets
 * raise {@link SessionSerializationError} instead of being dropped silently as `JSON.stringify`
 * does.
 */
export function serializeValue(key: string, value: unknown): string {
  // Most session values are plain JSON: a native stringify, no replacer call per value.
  if (isPlainJson(value, 0)) return JSON.stringify(value);
  try {
    const json = JSON.stringify(value, function (this: Record<string, unknown>, k, v: unknown) {
      const raw = this[k];
      if (raw instanceof Date) return { [DATE_TAG]: raw.toISOString() };
      if (typeof v === 'function' || typeof v === 'symbol') {
        throw new TypeError(`a ${typeof v} at "${k || key}" has no JSON form`);
      }
      if (v instanceof Map || v instanceof Set) {
        throw new TypeError(`a ${v.constructor.name} at "${k || key}" has no JSON form`);
      }
      return isPlainRecord(v) ? renameKeys(v, (name) => '$' + name) : v;
    });
    if (json === undefined) throw new TypeError('the value has no JSON form');
    return json;
  } catch (error) {
    throw SessionSerializationError.forKey(key, error);
  }
}

/** The value of stored JSON, with Dates revived and prototype keys dropped. */
export function deserializeValue(json: string): unknown {
  // Without these, the reviver has nothing to do (a `\u` escape could spell either).
  if (!json.includes(ESCAPED_KEY_PREFIX) && !json.includes(PROTO_KEY) && !json.includes('\\u')) {
    return JSON.parse(json);
  }
  return JSON.parse(json, (k, v: unknown) => {
    if (k === PROTO_KEY) return undefined;
    if (isDateTag(v)) return new Date(v[DATE_TAG]);
    return isPlainRecord(v) ? renameKeys(v, (name) => name.slice(1)) : v;
  });
}

/** Nesting past which a value takes the checked path (which also reports cycles). */
const PLAIN_JSON_MAX_DEPTH = 32;

/**
 * Whether `value` is made of strings, finite-or-not numbers, booleans, null, plain arrays and
 * plain objects only, with no key the stored form escapes: then `JSON.stringify` alone writes
 * exactly what the checked path writes.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (depth > PLAIN_JSON_MAX_DEPTH) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (prototype !== Array.prototype) return false;
    for (let index = 0; index < value.length; index++) {
      if (!isPlainJson(value[index], depth + 1)) return false;
    }
    return true;
  }
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = value as Record<string, unknown>;
  if ('toJSON' in record) return false;
  for (const name of Object.keys(record)) {
    if (name.startsWith(ESCAPED_KEY_PREFIX) || !isPlainJson(record[name], depth + 1)) return false;
  }
  return true;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` with its escaped-prefix keys renamed, or `value` itself when it has none. */
function renameKeys(
  value: Record<string, unknown>,
  rename: (name: string) => string,
): Record<string, unknown> {
  const names = Object.keys(value);
  if (!names.some((name) => name.startsWith(ESCAPED_KEY_PREFIX))) return value;
  const renamed: Record<string, unknown> = {};
  for (const name of names) {
    renamed[name.startsWith(ESCAPED_KEY_PREFIX) ? rename(name) : name] = value[name];
  }
  return renamed;
}

function isDateTag(value: unknown): value is { [DATE_TAG]: string } {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 &&
    keys[0] === DATE_TAG &&
    typeof (value as Record<string, unknown>)[DATE_TAG] === 'string'
  );
}
