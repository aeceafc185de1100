import type { SessionModuleOptions } from '../session-module-options.js';

/**
 * Options that cannot go with `cookieSessions`, each with why: they need a session store, or
 * (encryption) the seal already does their job. Empty without `cookieSessions`.
 */
export function cookieSessionProblems(options: SessionModuleOptions): string[] {
  if (options.cookieSessions === undefined) return [];
  const conflicts: [boolean, string][] = [
    [
      options.redis !== undefined,
      '`redis` (put the Redis URL in cookieSessions.denyList for revocation)',
    ],
    [options.store !== undefined, '`store`'],
    [options.nearCache !== undefined, '`nearCache`'],
    [
      options.encryption !== undefined,
      '`encryption` (the cookie is already sealed with AES-256-GCM)',
    ],
    [options.rotation !== undefined, '`rotation`'],
    [options.principalSessions?.limit !== undefined, '`principalSessions.limit`'],
    [options.expiryNotifications === true, '`expiryNotifications`'],
    [(options.replicaAcks ?? 0) > 0, '`replicaAcks`'],
    [(options.lock?.quorum?.length ?? 0) > 0, '`lock.quorum`'],
  ];
  const problems = conflicts
    .filter(([conflicting]) => conflicting)
    .map(
      ([, name]) =>
        `cookieSessions keep the session in the cookie, with no store: remove ${name}, or drop cookieSessions`,
    );
  const { monotonicKeys, denyList } = options.cookieSessions;
  if ((monotonicKeys?.length ?? 0) > 0 && denyList === undefined) {
    problems.push(
      'cookieSessions.monotonicKeys needs cookieSessions.denyList: the lowest accepted cookie ' +
        'sequence is kept in Redis',
    );
  }
  return problems;
}
