import {
  type DynamicModule,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type ModuleMetadata,
  type NestApplicationOptions,
  type NestModule,
  type Provider,
  type Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { SessionModule } from '../../src/index.js';
import { createPlatformApp } from './test-platform.js';

/** A secret long enough for the keyring; tests only. */
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';

/** What `SessionModule.forRoot()` takes, extras such as `isGlobal` included. */
export type SessionRootOptions = Parameters<typeof SessionModule.forRoot>[0];

/** How a test app is put together; every field has a default. */
export interface SessionAppSpec {
  /**
   * `SessionModule.forRoot()` options, spread over the test defaults (`TEST_SECRET`, a cookie
   * without Secure, since tests speak plain HTTP).
   */
  readonly options?: Partial<SessionRootOptions>;
  /** The session module itself (`forRootAsync`, the testing kit); `options` is then unused. */
  readonly session?: DynamicModule;
  readonly controllers?: Type[];
  readonly providers?: Provider[];
  /** Modules beside the session module (Terminus, event emitter, passport, metrics). */
  readonly imports?: ModuleMetadata['imports'];
  /** Middleware of the app's root module, as its `NestModule.configure()` applies it. */
  readonly middleware?: (consumer: MiddlewareConsumer) => void;
  /** Runs on the created app before it listens: `app.use`, loggers, event listeners. */
  readonly configure?: (app: INestApplication) => void | Promise<void>;
  /**
   * Which proxies the platform trusts for the client address and protocol (Express
   * `trust proxy`, Fastify `trustProxy`). @default none
   */
  readonly trustProxy?: boolean | string;
  /** @default ['error'] */
  readonly logger?: NestApplicationOptions['logger'];
}

/** A booted test app, listening on an ephemeral loopback port. */
export interface SessionApp {
  readonly app: INestApplication;
  /** The HTTP server, for supertest. */
  readonly http: Server;
  /** The app's root module, for `app.select()`. */
  readonly rootModule: Type;
  close(): Promise<void>;
}

/** Boots a real Nest app with the session module and `spec`'s parts on a loopback port. */
export async function bootSessionApp(spec: SessionAppSpec = {}): Promise<SessionApp> {
  const session =
    spec.session ??
    SessionModule.forRoot({ secrets: [TEST_SECRET], cookie: { secure: false }, ...spec.options });

  @Module({
    imports: [session, ...(spec.imports ?? [])],
    controllers: spec.controllers ?? [],
    providers: spec.providers ?? [],
  })
  class SessionTestAppModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      spec.middleware?.(consumer);
    }
  }

  const moduleRef = await Test.createTestingModule({ imports: [SessionTestAppModule] }).compile();
  // Express or Fastify, as the jest project says: every suite runs on both.
  const app = await createPlatformApp(
    moduleRef,
    { logger: spec.logger ?? ['error'] },
    spec.trustProxy,
  );
  try {
    await spec.configure?.(app);
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    // A boot that fails (an option or route refused) must not leave the store's timers running.
    await app.close().catch(() => undefined);
    throw error;
  }
  return {
    app,
    http: app.getHttpServer() as Server,
    rootModule: SessionTestAppModule,
    close: () => app.close(),
  };
}
