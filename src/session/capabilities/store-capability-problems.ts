import type { SessionModuleOptions } from '../session-module-options.js';
import type { SessionStore, SessionStoreCapabilities } from '../stores/session-store.js';
import { CAPABILITY_NAMES } from './capabilities.errors.js';

/** Options that a store must have a capability to honour, when the user sets them. */
const OPTION_NEEDS: readonly {
  readonly option: keyof SessionModuleOptions;
  readonly needs: keyof SessionStoreCapabilities;
}[] = [
  { option: 'principalSessions', needs: 'principalIndex' },
  { option: 'rotation', needs: 'rotation' },
  { option: 'lock', needs: 'locks' },
];

/** One message per option the user set that `store` cannot honour; empty when all fit. */
export function storeCapabilityProblems(
  raw: Partial<SessionModuleOptions>,
  store: SessionStore,
): string[] {
  const { capabilities, storeName } = store;
  return OPTION_NEEDS.filter(
    ({ option, needs }) => raw[option] !== undefined && !capabilities[needs],
  ).map(({ option, needs }) => missingMessage(`\`${option}\``, needs, storeName));
}

/** "`what` needs <capability>, which the store <name> does not have". */
export function missingMessage(
  what: string,
  needs: keyof SessionStoreCapabilities,
  storeName: string,
): string {
  return (
    `${what} needs ${CAPABILITY_NAMES[needs]}, which the session store ${storeName} does not ` +
    'have: remove it, or use a store that has it (README, "Stores by capability")'
  );
}
