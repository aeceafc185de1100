import type { SessionStore } from '../index.js';
import {
  describeStoreConformance,
  type StoreCleanup,
  type StoreConformanceOptions,
} from './conformance/store-conformance.js';

/**
 * Runs the library's store conformance suite (the cases every built-in store passes) against your
 * own `SessionStore` subclass, under Jest: call it at the top level of a spec file. Declare the
 * capabilities your store lacks in `options.capabilities`; it must then refuse those operations.
 */
export function describeSessionStoreConformance(
  name: string,
  createStore: () => SessionStore | Promise<SessionStore>,
  options: StoreConformanceOptions & { readonly cleanup?: StoreCleanup } = {},
): void {
  const { cleanup, ...rest } = options;
  describeStoreConformance(name, createStore, cleanup, rest);
}
