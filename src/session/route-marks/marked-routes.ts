import type { RequestMethod, Type, VERSION_NEUTRAL } from '@nestjs/common';
import {
  METHOD_METADATA,
  MODULE_PATH,
  PATH_METADATA,
  VERSION_METADATA,
} from '@nestjs/common/constants.js';
import type { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { SESSION_LOCK_METADATA, SKIP_SESSION_METADATA } from '../session.constants.js';
import type { SessionLockSettings } from '../locking/session-locker.js';
import { SessionOptionsError } from '../session.errors.js';
import type { RouteMark } from './route-marker.js';

/** A route's version, as `@Version()` and `@Controller({ version })` take it. */
type VersionValue = string | typeof VERSION_NEUTRAL | (string | typeof VERSION_NEUTRAL)[];

/** A route as Nest's `MiddlewareConsumer.forRoutes()` takes it. */
export interface MarkedRouteInfo {
  readonly path: string;
  readonly method: RequestMethod;
  readonly version?: VersionValue;
}

/** The routes that share one mark. */
export interface MarkedRouteGroup {
  readonly mark: RouteMark;
  readonly routes: readonly MarkedRouteInfo[];
}

/**
 * Every `@SessionLock()` and `@SkipSession()` route of the app's controllers, grouped by their
 * mark, as paths relative to the global prefix (Nest's middleware consumer adds it, and the URI
 * version): a module's `RouterModule` path, the controller's, the method's. A locked route this
 * misses (a path Nest builds some other way) loses nothing: its lock is then taken by the
 * interceptor, after the session was loaded, one round trip more; a skipped one gets its session.
 * Throws `SessionOptionsError` for a route that is both.
 */
export function markedRouteGroups(
  modules: ModulesContainer,
  scanner: MetadataScanner,
  reflector: Reflector,
): MarkedRouteGroup[] {
  const groups = new Map<string, { mark: RouteMark; routes: MarkedRouteInfo[] }>();
  for (const moduleRef of modules.values()) {
    const modulePath = modulePathOf(moduleRef.metatype, modules.applicationId);
    for (const wrapper of moduleRef.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller?.prototype) continue;
      for (const { mark, route } of markedRoutesOf(controller, modulePath, scanner, reflector)) {
        const id = JSON.stringify(mark);
        const group = groups.get(id) ?? { mark, routes: [] };
        group.routes.push(route);
        groups.set(id, group);
      }
    }
  }
  return [...groups.values()];
}

function* markedRoutesOf(
  controller: Type,
  modulePath: string,
  scanner: MetadataScanner,
  reflector: Reflector,
): Generator<{ mark: RouteMark; route: MarkedRouteInfo }> {
  const prototype = controller.prototype as Record<string, object>;
  const controllerPaths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
  const controllerVersion = Reflect.getMetadata(VERSION_METADATA, controller) as
    VersionValue | undefined;
  for (const name of scanner.getAllMethodNames(prototype)) {
    const handler = prototype[name]!;
    const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (methodPath === undefined || method === undefined) continue;
    const mark = markOf(reflector, [handler as () => unknown, controller], controller, name);
    if (!mark) continue;
    const version =
      (Reflect.getMetadata(VERSION_METADATA, handler) as VersionValue | undefined) ??
      controllerVersion;
    for (const controllerPath of controllerPaths) {
      for (const path of pathsOf(methodPath)) {
        const route = { path: joinPaths(modulePath, controllerPath, path), method };
        yield { mark, route: version === undefined ? route : { ...route, version } };
      }
    }
  }
}

function markOf(
  reflector: Reflector,
  targets: [() => unknown, Type],
  controller: Type,
  method: string,
): RouteMark | undefined {
  const lock = reflector.getAllAndOverride<SessionLockSettings | undefined>(
    SESSION_LOCK_METADATA,
    targets,
  );
  const skip = reflector.getAllAndOverride<boolean | undefined>(SKIP_SESSION_METADATA, targets);
  if (lock && skip) {
    throw SessionOptionsError.invalid([
      `@SkipSession() and @SessionLock() both apply to ${controller.name}.${method}: a locked ` +
        'route needs its session.',
    ]);
  }
  if (lock) return { lock };
  return skip ? { skip: true } : undefined;
}

function modulePathOf(metatype: unknown, applicationId: string | undefined): string {
  if (typeof metatype !== 'function') return '';
  const path: unknown =
    Reflect.getMetadata(MODULE_PATH + (applicationId ?? ''), metatype) ??
    Reflect.getMetadata(MODULE_PATH, metatype);
  return typeof path === 'string' ? path : '';
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.length > 0 ? value.map(String) : ['/'];
  return [typeof value === 'string' ? value : '/'];
}

function joinPaths(...parts: string[]): string {
  const joined = parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part.length > 0)
    .join('/');
  return `/${joined}`;
}
