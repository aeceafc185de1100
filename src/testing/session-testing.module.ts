import { randomBytes } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { MemorySessionStore, SessionModule, type SessionModuleOptions } from '../index.js';
import { SessionTestingController } from './session-testing.controller.js';

/** Options of {@link SessionTestingModule.forRoot}: any session option, all optional. */
export type SessionTestingOptions = Partial<SessionModuleOptions>;

/** The cookie the testing module uses: no `__Host-` prefix and no `Secure`, so plain HTTP works. */
export const SESSION_TESTING_COOKIE = 'sid';

/**
 * `SessionModule` for `@nestjs/testing`: a fresh memory store, a random secret, a cookie that
 * supertest sends over plain HTTP, global providers, and the routes the agent helpers
 * (`signInAs`, `readSession`, `seedSession`) call. Never import it into a production module.
 */
@Module({})
export class SessionTestingModule {
  static forRoot(options: SessionTestingOptions = {}): DynamicModule {
    const session = SessionModule.forRoot({
      secrets: [randomBytes(32).toString('base64url')],
      store: new MemorySessionStore(),
      ...options,
      cookie: { name: SESSION_TESTING_COOKIE, secure: false, sameSite: 'lax', ...options.cookie },
      isGlobal: true,
    });
    return {
      module: SessionTestingModule,
      imports: [session],
      controllers: [SessionTestingController],
      exports: [session],
    };
  }
}
