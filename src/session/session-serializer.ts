import { SessionSerializationError } from './session.errors.js';

/** Marks a `Date` in stored JSON so that it comes back as a `Date`. */
const DATE_TAG = '$$date';
/** Keys that reach an object's prototype when assigned; never read back from the store. */
const PROTO_KEY = '__proto__';
/** Top-level keys that are not session data even if a store holds them. */
const UNSAFE_TOP_LEVEL_KEYS = new Set([PROTO_KEY, 'constructor', 'prototype']);

/** Whether a top-level session key may be stored and assigned back onto a session. */
export function isSafeKey(key: string): boolean {
  return !UNSAFE_TOP_LEVEL_KEYS.has(key);
}

/**
 * JSON of one session value. Dates round-trip; BigInt, cycles, functions and symbols raise
 * {@link SessionSerializationError} instead of being dropped silently as `JSON.stringify` does.
 */
export function serializeValue(key: string, value: unknown): string {
  try {
    const json = JSON.stringify(value, function (this: Record<string, unknown>, k, v: unknown) {
      const raw = this[k];
      if (raw instanceof Date) return { [DATE_TAG]: raw.toISOString() };
      if (typeof v === 'function' || typeof v === 'symbol') {
        throw new TypeError(`a ${typeof v} at "${k || key}" has no JSON form`);
      }
      return v;
    });
    if (json === undefined) throw new TypeError('the value has no JSON form');
    return json;
  } catch (error) {
    throw SessionSerializationError.forKey(key, error);
  }
}

/** The value of stored JSON, with Dates revived and prototype keys dropped. */
export function deserializeValue(json: string): unknown {
  return JSON.parse(json, (k, v: unknown) => {
    if (k === PROTO_KEY) return undefined;
    if (isDateTag(v)) return new Date(v[DATE_TAG]);
    return v;
  });
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
