import {
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
  RequestMethod,
} from '@nestjs/common';
import {
  APP_INTERCEPTOR,
  DiscoveryModule,
  HttpAdapterHost,
  MetadataScanner,
  ModulesContainer,
  Reflector,
} from '@nestjs/core';
import { markedRouteGroups } from './route-marks/marked-routes.js';
import { routeMarker } from './route-marks/route-marker.js';
import { SessionCapabilityCheck } from './capabilities/session-capability-check.js';
import { SessionCommitInterceptor } from './interceptors/session-commit.interceptor.js';
import { SessionLockInterceptor } from './interceptors/session-lock.interceptor.js';
import { SessionOptimisticInterceptor } from './interceptors/session-optimistic.interceptor.js';
import { SessionLocker } from './locking/session-locker.js';
import { PrincipalIndexSync } from './management/principal-index-sync.js';
import { PrincipalSessions } from './management/principal-sessions.js';
import { SessionStoreEventsBridge } from './management/session-store-events-bridge.js';
import { SessionMiddleware } from './middleware/session.middleware.js';
import { SessionRequestFlow } from './middleware/session-request-flow.js';
import { installFastifySessionHooks } from './transport/fastify/fastify-session-hooks.js';
import type { FastifyInstanceLike } from './transport/fastify/fastify-types.js';
import { type ResolvedSessionOptions, resolveSessionOptions } from './resolve-session-options.js';
import { SessionContext } from './session-context.js';
import { SessionCsrfCheck } from './security/session-csrf-check.js';
import { SessionEngine } from './engine/session-engine.js';
import { SessionEvents } from './session-events.js';
import { ConfigurableSessionModule, SESSION_MODULE_OPTIONS } from './session.module-definition.js';
import { RESOLVED_SESSION_OPTIONS } from './session.internal-constants.js';
import type { SessionModuleOptions } from './session-module-options.js';
import { SessionService } from './session.service.js';
import { SessionJwtIssuer } from './jwt/session-jwt-issuer.js';
import { createSessionStore } from './create-session-store.js';
import { SessionStore } from './stores/session-store.js';
import { SessionSockets } from './sockets/session-sockets.js';
import { SessionSocketInterceptor } from './sockets/session-socket.interceptor.js';

const providers: Provider[] = [
  {
    provide: RESOLVED_SESSION_OPTIONS,
    useFactory: (options: SessionModuleOptions) => resolveSessionOptions(options),
    inject: [SESSION_MODULE_OPTIONS],
  },
  {
    provide: SessionStore,
    useFactory: (options: ResolvedSessionOptions) => createSessionStore(options),
    inject: [RESOLVED_SESSION_OPTIONS],
  },
  SessionEngine,
  {
    provide: SessionCsrfCheck,
    useFactory: (engine: SessionEngine) => new SessionCsrfCheck(engine.options, engine.security),
    inject: [SessionEngine],
  },
  SessionEvents,
  PrincipalSessions,
  PrincipalIndexSync,
  SessionStoreEventsBridge,
  SessionLocker,
  SessionLockInterceptor,
  SessionOptimisticInterceptor,
  SessionContext,
  SessionService,
  SessionMiddleware,
  SessionRequestFlow,
  SessionJwtIssuer,
  // The one global interceptor; it hands gateway messages to SessionSocketInterceptor.
  { provide: APP_INTERCEPTOR, useClass: SessionCommitInterceptor },
  SessionSocketInterceptor,
  SessionSockets,
  SessionCapabilityCheck,
];

/**
 * Distributed sessions for every route of the app: `req.session`, `@Session()` and
 * `SessionService`, stored in Redis (standalone, Sentinel, Cluster) or in process memory.
 *
 * @example
 * @Module({
 *   imports: [SessionModule.forRoot({ secrets: [process.env.SESSION_SECRET!], redis: process.env.REDIS_URL })],
 * })
 * export class AppModule {}
 */
@Module({
  imports: [DiscoveryModule],
  providers,
  exports: [
    SessionService,
    SessionStore,
    SessionEngine,
    SessionCsrfCheck,
    SessionEvents,
    SessionLocker,
    SessionLockInterceptor,
    SessionOptimisticInterceptor,
    SessionSockets,
    // For `@UseInterceptors(SessionSocketInterceptor)` on a gateway: Nest 11 applies no global
    // interceptor to gateways.
    SessionSocketInterceptor,
    SessionContext,
  ],
})
export class SessionModule
  extends ConfigurableSessionModule
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  constructor(
    private readonly store: SessionStore,
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly flow: SessionRequestFlow,
    private readonly adapterHost: HttpAdapterHost,
    private readonly modules: ModulesContainer,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    if (!this.options.cookie.secure) {
      new Logger('SessionModule').warn(
        'cookie.secure is off: the session cookie travels over plain HTTP. Use this only for ' +
          'local development.',
      );
    }
    // Marked before the session opens: `@SessionLock()` routes open it under the lock,
    // `@SkipSession()` routes open none.
    for (const { mark, routes } of markedRouteGroups(this.modules, this.scanner, this.reflector)) {
      consumer.apply(routeMarker(mark)).forRoutes(...routes);
    }
    // The platform is Nest's choice, not the user's: Fastify gets hooks, Express a middleware.
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify') {
      installFastifySessionHooks(adapter.getInstance<FastifyInstanceLike>(), this.flow);
      return;
    }
    consumer.apply(SessionMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  async onModuleInit(): Promise<void> {
    const waitMs = Math.max(this.options.commandTimeoutMs, 5000);
    if (!(await this.store.ready(waitMs))) {
      new Logger('SessionModule').warn(
        `The session store was not ready within ${waitMs} ms; requests that need a session ` +
          'get 503 until it is.',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // A store passed in by the user stays theirs to close; one built from `redis` is ours.
    if (!this.options.store) await this.store.close();
  }
}
