import {
  BadRequestException,
  Controller,
  HttpCode,
  type INestApplication,
  Put,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  type SessionChange,
  SessionEvents,
  type SessionEventMap,
  type SessionKey,
  RedisSessionStore,
} from '../../src/index.js';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { SECRET_A } from './security-app.js';

const redis = useStandalone();
const PREFIX = 'disclose:';

/**
 * The real Redis store; when armed, its next commit finds the session's key turned into a
 * string, so Redis itself refuses the script (WRONGTYPE): a genuine store refusal.
 */
class SabotagedStore extends RedisSessionStore {
  armed = false;
  constructor(
    client: Redis,
    private readonly admin: Redis,
  ) {
    super({ client, prefix: PREFIX });
  }

  override async commit(key: SessionKey, change: SessionChange) {
    if (this.armed) {
      this.armed = false;
      await this.admin.del(this.keyOf(key));
      await this.admin.set(this.keyOf(key), 'not a hash');
    }
    return super.commit(key, change);
  }
}

@Controller('e')
class ErrorController {
  @Put('set')
  @HttpCode(200)
  set(@Req() req: Request) {
    req.session.n = Date.now();
    return { ok: true };
  }

  /** Changes the session, then fails: the commit runs as the error response ends. */
  @Put('set-then-fail')
  setThenFail(@Req() req: Request) {
    req.session.n = Date.now();
    throw new BadRequestException('bad input');
  }
}

/** Text that would tell a client about the store: Redis replies, key names, connection errors. */
const LEAKS = [/WRONGTYPE/i, /redis/i, /disclose:/, /ECONNREFUSED/i, /connection/i, /prefix/i];

describe('5xx session errors tell the client nothing about the store (real Redis)', () => {
  let app: INestApplication;
  let client: Redis;
  let admin: Redis;
  let store: SabotagedStore;
  const storeErrors: SessionEventMap['store-error'][] = [];
  const logged: string[] = [];

  beforeAll(async () => {
    client = new Redis(redis().url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    admin = new Redis(redis().url);
    store = new SabotagedStore(client, admin);
    ({ app } = await bootSessionApp({
      options: { secrets: [SECRET_A], store },
      controllers: [ErrorController],
      configure: (nest) => {
        nest.useLogger({
          log: () => undefined,
          warn: () => undefined,
          error: (...parts: unknown[]) => logged.push(parts.map(describePart).join(' ')),
        });
        nest.get(SessionEvents).on('store-error', (event) => storeErrors.push(event));
      },
    }));
  });
  afterAll(async () => {
    await app.close();
    client.disconnect();
    admin.disconnect();
  });

  async function sessionCookie(): Promise<string> {
    const jar = new CookieJar();
    jar.take(await request(app.getHttpServer()).put('/e/set').expect(200));
    return jar.header;
  }

  function expectGeneric(response: request.Response, status: number) {
    expect(response.status).toBe(status);
    for (const leak of LEAKS) expect(response.text).not.toMatch(leak);
  }

  for (const route of ['/e/set', '/e/set-then-fail']) {
    it(`a store refusal at the commit of ${route}: generic 500, details in the log and event`, async () => {
      const cookie = await sessionCookie();
      storeErrors.length = 0;
      logged.length = 0;
      store.armed = true;
      const response = await request(app.getHttpServer()).put(route).set('cookie', cookie);
      expectGeneric(response, 500);
      expect(storeErrors.map((event) => event.error.message).join()).toMatch(/WRONGTYPE/);
      expect(logged.join('\n')).toMatch(/WRONGTYPE/);
    });
  }

  it('the store unavailable: generic 503 (error name kept), details in the log and event', async () => {
    const cookie = await sessionCookie();
    storeErrors.length = 0;
    logged.length = 0;
    await redis().kill();
    const response = await request(app.getHttpServer()).put('/e/set').set('cookie', cookie);
    expectGeneric(response, 503);
    expect(response.body.error).toBe('SessionStoreUnavailableError');
    expect(storeErrors.length).toBeGreaterThan(0);
    expect(logged.join('\n')).toMatch(/SessionStoreUnavailableError/);
  });
});

function describePart(part: unknown): string {
  if (part instanceof Error) return `${part.name}: ${part.message} ${part.stack ?? ''}`;
  return typeof part === 'string' ? part : JSON.stringify(part);
}
