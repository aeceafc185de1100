import { Controller, Get, Post } from '@nestjs/common';
import session from 'express-session';
import request from 'supertest';
import {
  SessionEvents,
  type SessionModuleOptions,
  SessionService,
  SessionStore,
} from '../../src/index.js';
import { fromExpressSessionStore } from '../../src/session/stores/express-session-adapter/index.js';
import { MemcachedSessionStore } from '../../src/session/stores/memcached/index.js';
import { useMemcached } from '../harness/memcached.js';
import { CookieJar } from '../support/cookie-jar.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { createTestApp } from '../support/test-app.js';

/** Routes that need no capability beyond load and commit, and two that call for more. */
@Controller('plain')
class PlainController {
  constructor(private readonly sessions: SessionService) {}

  @Post('sign-in')
  async signIn() {
    this.sessions.current().visits = 1;
    await this.sessions.signIn({ id: 'u1' });
    return { ok: true };
  }

  @Get('read')
  read() {
    const current = this.sessions.current();
    return { visits: current.visits, principal: current.principal };
  }

  @Post('with-lock')
  async withLock() {
    return this.sessions.withLock(async (s) => ({ visits: s.visits }));
  }

  @Get('devices')
  async devices() {
    return this.sessions.listSessions();
  }
}

function bootPlain(options: Partial<SessionModuleOptions>): Promise<SessionApp> {
  return bootSessionApp({ options, controllers: [PlainController], logger: false });
}

describe('store capabilities at boot and at run time', () => {
  const memcached = useMemcached(1);

  it('refuses @SessionLock() and @SessionOptimistic() routes on an express-session store, naming route and store', async () => {
    const store = fromExpressSessionStore(new session.MemoryStore());
    const boot = createTestApp({ store });
    await expect(boot).rejects.toThrow(
      /@SessionLock\(\) on SessionTestController\.lockedIncrement needs session locks with a fence, which the session store ExpressSessionStoreAdapter\(MemoryStore\) does not have/,
    );
    await expect(boot).rejects.toThrow(
      /@SessionOptimistic\(\) on SessionTestController\.optimisticSet needs versions/,
    );
  });

  it.each([
    ['principalSessions', { principalSessions: {} }, 'a per-principal session index'],
    ['rotation', { rotation: { intervalMs: 60_000 } }, 'token rotation'],
    ['lock', { lock: { retryCount: 3 } }, 'session locks'],
  ] as const)('refuses `%s` on an express-session store', async (option, options, capability) => {
    const store = fromExpressSessionStore(new session.MemoryStore());
    await expect(bootPlain({ store, ...options })).rejects.toThrow(
      new RegExp(`\`${option}\` needs ${capability}.*ExpressSessionStoreAdapter\\(MemoryStore\\)`),
    );
  });

  it('refuses `principalSessions` on Memcached, and boots without it', async () => {
    const store = new MemcachedSessionStore({ servers: memcached()[0]!.address });
    try {
      await expect(bootPlain({ store, principalSessions: { limit: 3 } })).rejects.toThrow(
        /`principalSessions` needs a per-principal session index, which the session store MemcachedSessionStore does not have/,
      );
      const plain = await bootPlain({ store });
      await plain.close();
    } finally {
      await store.close();
    }
  });

  it('answers 501 with SessionCapabilityError for withLock() and session lists at run time, and loses nothing', async () => {
    const store = fromExpressSessionStore(new session.MemoryStore());
    const { app } = await bootPlain({ store });
    const storeErrors: string[] = [];
    app.get(SessionEvents).on('store-error', (event) => storeErrors.push(event.operation));
    try {
      const jar = new CookieJar();
      // Signing in keeps no index on this store, and does not fail for it.
      jar.take(await request(app.getHttpServer()).post('/plain/sign-in').expect(201));
      expect(storeErrors).toEqual([]);
      const locked = await request(app.getHttpServer())
        .post('/plain/with-lock')
        .set('cookie', jar.header);
      expect(locked.status).toBe(501);
      expect(locked.body.error).toBe('SessionCapabilityError');
      const devices = await request(app.getHttpServer())
        .get('/plain/devices')
        .set('cookie', jar.header);
      expect(devices.status).toBe(501);
      // A 5xx answer names the error, never the details (they go to the log).
      expect(devices.body.error).toBe('SessionCapabilityError');
      expect(devices.body.message).not.toMatch(/per-principal session index/);
      const read = await request(app.getHttpServer()).get('/plain/read').set('cookie', jar.header);
      expect(read.body).toEqual({ visits: 1, principal: { id: 'u1' } });
      expect(app.get(SessionStore).capabilities.locks).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('boots a store with every capability whatever the options (memory store)', async () => {
    const app = await createTestApp({ principalSessions: {}, lock: { retryCount: 3 } });
    await app.close();
  });
});
