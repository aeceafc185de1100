import type { SessionLockSettings } from './session-locker.js';

/** Where a `@SessionLock()` route's marker leaves the route's lock settings on the request. */
const LOCKED_ROUTE = Symbol('nestjs-distributed-session.lockedRoute');

type MarkedRequest = { [LOCKED_ROUTE]?: SessionLockSettings };

/**
 * A middleware for the `@SessionLock()` routes sharing `settings`, run before the session is
 * opened: it tells the opening that this request will take the session's lock, so the lock is
 * taken first and the session loaded under it, in one round trip on Redis, instead of a load,
 * then the lock and a second load. On Fastify it runs on the raw request (Nest's middie).
 */
export function lockedRouteMarker(settings: SessionLockSettings) {
  return (request: object, _response: unknown, next: () => void): void => {
    (request as MarkedRequest)[LOCKED_ROUTE] = settings;
    next();
  };
}

/** The lock settings a marker left on `request`, if its route is a `@SessionLock()` route. */
export function lockedRouteSettingsOf(request: object): SessionLockSettings | undefined {
  return (request as MarkedRequest)[LOCKED_ROUTE];
}
