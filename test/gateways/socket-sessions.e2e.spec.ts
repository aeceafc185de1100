import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { sessionGateway, SignInController } from './gateway-app.js';
import { connectIo, connectWs, type TestSocket } from './socket-clients.js';

const redis = useStandalone();

type Platform = 'socket.io' | 'ws';
const WS_PATH = '/ws';

async function bootGatewayApp(platform: Platform, recheckIntervalMs: number): Promise<SessionApp> {
  return bootSessionApp({
    options: { redis: redis().url },
    controllers: [SignInController],
    providers: [
      sessionGateway({ path: platform === 'ws' ? WS_PATH : undefined, recheckIntervalMs }),
    ],
    configure: (app: INestApplication) => {
      app.useWebSocketAdapter(platform === 'ws' ? new WsAdapter(app) : new IoAdapter(app));
    },
  });
}

function connect(platform: Platform, app: SessionApp, cookie?: string): Promise<TestSocket> {
  return platform === 'ws' ? connectWs(app.http, WS_PATH, cookie) : connectIo(app.http, cookie);
}

/** Signs `id` in over HTTP: the cookie jar and the session's CSRF token. */
async function signIn(app: SessionApp, id: string) {
  const jar = new CookieJar();
  const response = await request(app.http).post('/http/sign-in').send({ id });
  expect(response.status).toBe(201);
  jar.take(response);
  return { jar, csrf: (response.body as { csrf: string }).csrf };
}

describe.each<Platform>(['socket.io', 'ws'])(
  'a %s gateway on the handshake session',
  (platform) => {
    let app: SessionApp;
    const open: TestSocket[] = [];
    const connectAs = async (cookie?: string) => {
      const socket = await connect(platform, app, cookie);
      open.push(socket);
      return socket;
    };

    beforeAll(async () => {
      // The default interval: these tests finish well inside it, or recheck harmlessly.
      app = await bootGatewayApp(platform, 5000);
    });
    afterEach(() => open.splice(0).forEach((socket) => socket.close()));
    afterAll(() => app.close());

    it('gives an anonymous client a session without a principal, and the guards refuse it', async () => {
      const socket = await connectAs();
      expect(await socket.ask('whoami')).toEqual({ reply: { principal: null } });
      expect(await socket.ask('count', { _csrf: 'x' })).toMatchObject({ refused: { status: 401 } });
      expect(await socket.ask('recent')).toMatchObject({ refused: { status: 401 } });
    });

    it("reads and changes the signed-in session of the handshake's cookie", async () => {
      const { jar, csrf } = await signIn(app, 'alice');
      const socket = await connectAs(jar.header);
      expect(await socket.ask('whoami')).toEqual({ reply: { principal: 'alice' } });
      expect(await socket.ask('recent')).toEqual({ reply: { count: null } });
      // CsrfGuard: a message carries the session's token in its `_csrf` field.
      expect(await socket.ask('count')).toMatchObject({ refused: { status: 403 } });
      expect(await socket.ask('count', { _csrf: 'forged' })).toMatchObject({
        refused: { status: 403 },
      });
      expect(await socket.ask('count', { _csrf: csrf })).toEqual({ reply: 1 });
      expect(await socket.ask('count', { _csrf: csrf })).toEqual({ reply: 2 });
      // Committed after each message: HTTP sees it on any server.
      const read = await request(app.http).get('/http/read').set('cookie', jar.header);
      expect(read.body).toEqual({ principal: 'alice', count: 2 });
    });

    it('refuses @SessionLock() on a message handler with a server error, not a crash', async () => {
      const { jar } = await signIn(app, 'lockless');
      const socket = await connectAs(jar.header);
      // A programming error: 500 with the generic message (the log says what to change).
      expect(await socket.ask('locked')).toMatchObject({
        refused: { status: 500, error: 'SessionStateError' },
      });
      // The socket and its session go on.
      expect(await socket.ask('whoami')).toEqual({ reply: { principal: 'lockless' } });
    });

    it('refuses a new token over the socket, and the session stays signed in', async () => {
      const { jar } = await signIn(app, 'bob');
      const socket = await connectAs(jar.header);
      expect(await socket.ask('sign-out')).toMatchObject({
        refused: { status: 409, error: 'SessionOverSocketError' },
      });
      expect(await socket.ask('whoami')).toEqual({ reply: { principal: 'bob' } });
      const read = await request(app.http).get('/http/read').set('cookie', jar.header);
      expect(read.body).toMatchObject({ principal: 'bob' });
    });

    describe('with every message re-checked (recheckIntervalMs: 0)', () => {
      let strict: SessionApp;
      beforeAll(async () => {
        strict = await bootGatewayApp(platform, 0);
      });
      afterAll(() => strict.close());

      it('stops a session revoked from another request at the next message', async () => {
        const first = await signIn(strict, `carol-${platform}`);
        const second = await signIn(strict, `carol-${platform}`);
        const socket = await connect(platform, strict, first.jar.header);
        open.push(socket);
        expect(await socket.ask('count', { _csrf: first.csrf })).toEqual({ reply: 1 });

        const listed = await request(strict.http)
          .get('/http/sessions')
          .set('cookie', second.jar.header);
        const target = (listed.body as { handle: string; current: boolean }[]).find(
          (s) => !s.current,
        );
        const revoked = await request(strict.http)
          .post(`/http/revoke/${target!.handle}`)
          .set('cookie', second.jar.header);
        expect(revoked.body).toEqual({ revoked: true });

        expect(await socket.ask('count', { _csrf: first.csrf })).toMatchObject({
          refused: { status: 401 },
        });
        expect(await socket.ask('whoami')).toEqual({ reply: { principal: null } });
      });
    });

    if (platform === 'socket.io') {
      it('refuses the handshake of a namespace that requires a signed-in session', async () => {
        await expect(connectIo(app.http, undefined, '/private')).rejects.toThrow(
          'sign-in required',
        );
        const { jar } = await signIn(app, 'dave');
        const socket = await connectIo(app.http, jar.header, '/private');
        open.push(socket);
      });
    }
  },
);
