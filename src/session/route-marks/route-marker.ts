import type { SessionLockSettings } from '../locking/session-locker.js';

/**
 * What a route's marker tells the session's opening, found at boot from the route's decorators:
 * take the session's lock first (`@SessionLock()`), or open no session at all (`@SkipSession()`).
 */
export type RouteMark =
  | { readonly lock: SessionLockSettings; readonly skip?: undefined }
  | { readonly skip: true; readonly lock?: undefined };

/** Where a marker leaves its route's mark on the request. */
const ROUTE_MARK = Symbol('nestjs-distributed-session.routeMark');

type MarkedRequest = { [ROUTE_MARK]?: RouteMark };

/**
 * A middleware for the routes that share `mark`, run before the session is opened. A locked
 * route's session is then opened under the lock, in one round trip on Redis, instead of a load,
 * then the lock and a second load; a skipped route opens none. On Fastify it runs on the raw
 * request (Nest's middie).
 */
export function routeMarker(mark: RouteMark) {
  return (request: object, _response: unknown, next: () => void): void => {
    (request as MarkedRequest)[ROUTE_MARK] = mark;
    next();
  };
}

/** The mark a marker left on `request` (Express's request, or Fastify's raw one). */
export function routeMarkOf(request: object): RouteMark | undefined {
  return (request as MarkedRequest)[ROUTE_MARK];
}

/** Whether `request` (Express's, or Fastify's with its raw one) is on a `@SkipSession()` route. */
export function onSkippedRoute(request: object): boolean {
  const raw = (request as { raw?: unknown }).raw;
  const mark =
    routeMarkOf(request) ?? (typeof raw === 'object' && raw ? routeMarkOf(raw) : undefined);
  return mark?.skip === true;
}
