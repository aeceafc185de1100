import type { INestApplication } from '@nestjs/common';
import { SampleClient, type Transport, USER_AGENTS } from './sample-client.js';
import { serverOf, startSampleApp } from './sample-app-harness.js';

/**
 * The sample app's fixed HTTP contract, route by route, against one store configuration. Two
 * instances share the store; a client's requests alternate between them.
 */
export function describeSampleAppContract(
  store: string,
  env: () => Record<string, string>,
  /** Instances sharing the store; the memory store serves one process only. */
  instances: number,
  /** How the client carries the token: cookies (browsers) or the Authorization header. */
  transport: Transport = 'cookie',
  /** A store without a principal index (Memcached) answers the session-list routes with 501. */
  { principalIndex = true }: { principalIndex?: boolean } = {},
): void {
  describe(`sample app HTTP contract (${store})`, () => {
    const apps: INestApplication[] = [];
    let turn = 0;
    const rotating = () => serverOf(apps[turn++ % apps.length]!)();
    const client = (userAgent?: string) => new SampleClient(rotating, userAgent, transport);

    beforeAll(async () => {
      for (let i = 0; i < instances; i++) apps.push(await startSampleApp(env()));
    });
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });

    it('GET / serves the web page', async () => {
      const response = await client().get('/');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('Distributed session demo');
    });

    it('GET /api/session describes a new session', async () => {
      if (transport === 'header') {
        // No cookie travels in header mode: the token arrives in a response header.
        const response = await client().session();
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      const response = await client().session();
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        authenticated: false,
        user: null,
        createdAt: null,
        expiresAt: null,
        csrfToken: expect.any(String),
      });
      expect((response.body.csrfToken as string).length).toBeGreaterThanOrEqual(16);
    });

    (transport === 'cookie' ? it : it.skip)(
      'refuses unsafe methods without the CSRF token with 403',
      async () => {
        const visitor = client();
        await visitor.session();
        for (const [method, path, body] of [
          ['post', '/api/auth/login', { username: 'alice', password: 'alice-password' }],
          ['post', '/api/counter/increment', undefined],
          ['post', '/api/cart/items', { sku: 'a', qty: 1 }],
          ['put', '/api/preferences', { theme: 'dark' }],
          ['post', '/api/auth/logout', undefined],
        ] as const) {
          expect((await visitor.withoutCsrf(method, path, body)).status).toBe(403);
        }
      },
    );

    it('POST /api/auth/login: 400 with reasons, 401 for wrong credentials, 200 and a new token', async () => {
      const visitor = client();
      await visitor.session();
      const invalid = await visitor.post('/api/auth/login', { username: '', password: 42 });
      expect(invalid.status).toBe(400);
      expect(Array.isArray(invalid.body.message)).toBe(true);
      expect((invalid.body.message as string[]).join(' ')).toMatch(/username/);
      expect((invalid.body.message as string[]).join(' ')).toMatch(/password/);

      const wrong = await visitor.post('/api/auth/login', { username: 'alice', password: 'nope' });
      expect(wrong.status).toBe(401);

      const before = visitor.credentials();
      const ok = await visitor.post('/api/auth/login', {
        username: 'alice',
        password: 'alice-password',
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ user: { name: 'alice' } });
      expect(visitor.credentials()).not.toBe(before);

      const me = await visitor.get('/api/me');
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ name: 'alice' });

      // The pre-login token is dead.
      const attacker = client();
      attacker.useCredentials(before);
      expect((await attacker.get('/api/me')).status).toBe(401);
    });

    it('GET /api/session after sign-in shows the user and the deadlines', async () => {
      const visitor = client();
      expect((await visitor.signIn('bob')).status).toBe(200);
      const response = await visitor.session();
      expect(response.body).toMatchObject({ authenticated: true, user: { name: 'bob' } });
      const createdAt = Date.parse(response.body.createdAt as string);
      const expiresAt = Date.parse(response.body.expiresAt as string);
      expect(Math.abs(createdAt - Date.now())).toBeLessThan(60_000);
      expect(expiresAt).toBeGreaterThan(Date.now());
    });

    it('GET /api/me is 401 without a signed-in session', async () => {
      expect((await client().get('/api/me')).status).toBe(401);
    });

    it('counter: 0 when unset, then increments under the lock', async () => {
      const visitor = client();
      await visitor.session();
      expect((await visitor.get('/api/counter')).body).toEqual({ value: 0 });
      const first = await visitor.post('/api/counter/increment');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ value: 1 });
      const results = await Promise.all(
        Array.from({ length: 10 }, () => visitor.post('/api/counter/increment')),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect((await visitor.get('/api/counter')).body).toEqual({ value: 11 });
    });

    it('cart: validates, adds up the same sku, lists', async () => {
      const visitor = client();
      await visitor.session();
      expect((await visitor.get('/api/cart')).body).toEqual({ items: [] });
      for (const bad of [
        { sku: '', qty: 1 },
        { sku: 'x'.repeat(65), qty: 1 },
        { sku: 'a', qty: 0 },
        { sku: 'a', qty: 100 },
        { sku: 'a', qty: 1.5 },
        { qty: 1 },
      ]) {
        expect((await visitor.post('/api/cart/items', bad)).status).toBe(400);
      }
      const first = await visitor.post('/api/cart/items', { sku: 'book-42', qty: 2 });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ items: [{ sku: 'book-42', qty: 2 }] });
      await visitor.post('/api/cart/items', { sku: 'pen', qty: 1 });
      const again = await visitor.post('/api/cart/items', { sku: 'book-42', qty: 3 });
      expect(again.body).toEqual({
        items: [
          { sku: 'book-42', qty: 5 },
          { sku: 'pen', qty: 1 },
        ],
      });
      expect((await visitor.get('/api/cart')).body).toEqual(again.body);
    });

    it('PUT /api/preferences sets the theme; invalid gets 400', async () => {
      const visitor = client();
      await visitor.session();
      const ok = await visitor.put('/api/preferences', { theme: 'dark' });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ theme: 'dark' });
      expect((await visitor.put('/api/preferences', { theme: 'blue' })).status).toBe(400);
    });

    (principalIndex ? it.skip : it)(
      'devices: 501 SessionCapabilityError without a principal index; sign-in is unaffected',
      async () => {
        const laptop = client(USER_AGENTS.macChrome);
        expect((await laptop.get('/api/sessions')).status).toBe(401);
        expect((await laptop.signIn('alice')).status).toBe(200);
        const listed = await laptop.get('/api/sessions');
        expect(listed.status).toBe(501);
        expect(listed.body.error).toBe('SessionCapabilityError');
        expect((await laptop.post('/api/sessions/revoke-others')).status).toBe(501);
        expect((await laptop.get('/api/me')).status).toBe(200);
      },
    );

    (principalIndex ? it : it.skip)(
      'devices: list, revoke another one, sign out everywhere else',
      async () => {
        const laptop = client(USER_AGENTS.macChrome);
        const phone = client(USER_AGENTS.iphoneSafari);
        const tablet = client(USER_AGENTS.windowsFirefox);
        expect((await laptop.get('/api/sessions')).status).toBe(401);
        for (const device of [laptop, phone, tablet]) {
          expect((await device.signIn('alice')).status).toBe(200);
        }

        const listed = await laptop.get('/api/sessions');
        expect(listed.status).toBe(200);
        const devices = listed.body as {
          handle: string;
          current: boolean;
          createdAt: string;
          lastSeenAt: string;
          userAgent: string;
        }[];
        expect(devices.length).toBeGreaterThanOrEqual(3);
        const current = devices.filter((d) => d.current);
        expect(current).toHaveLength(1);
        expect(current[0]!.userAgent).toBe('Chrome 131 on macOS');
        for (const device of devices) {
          expect(Object.keys(device).sort()).toEqual(
            ['createdAt', 'current', 'handle', 'lastSeenAt', 'userAgent'].sort(),
          );
        }

        const phoneHandle = devices.find((d) => d.userAgent === 'Safari 17 on iOS')!.handle;
        expect(
          (await laptop.delete(`/api/sessions/${encodeURIComponent(phoneHandle)}`)).status,
        ).toBe(204);
        expect((await phone.get('/api/me')).status).toBe(401);
        expect((await laptop.delete(`/api/sessions/not-a-handle`)).status).toBe(404);

        const bob = client();
        await bob.signIn('bob');
        const bobHandle = ((await bob.get('/api/sessions')).body as { handle: string }[])[0]!
          .handle;
        expect((await laptop.delete(`/api/sessions/${encodeURIComponent(bobHandle)}`)).status).toBe(
          404,
        );
        expect((await bob.get('/api/me')).status).toBe(200);

        expect((await laptop.post('/api/sessions/revoke-others')).status).toBe(204);
        expect((await tablet.get('/api/me')).status).toBe(401);
        expect((await laptop.get('/api/me')).status).toBe(200);
        const after = (await laptop.get('/api/sessions')).body as { current: boolean }[];
        expect(after).toHaveLength(1);
        expect(after[0]!.current).toBe(true);
      },
    );

    it('POST /api/auth/logout ends the session with 204', async () => {
      const visitor = client();
      await visitor.signIn('alice');
      const cookie = visitor.credentials();
      expect((await visitor.post('/api/auth/logout')).status).toBe(204);
      expect((await visitor.get('/api/me')).status).toBe(401);
      const replay = client();
      replay.useCredentials(cookie);
      expect((await replay.get('/api/me')).status).toBe(401);
    });

    it('binds the session to the User-Agent: a stolen cookie from another browser gets nothing', async () => {
      const victim = client(USER_AGENTS.macChrome);
      await victim.signIn('alice');
      const thief = client('curl/8.4.0');
      thief.useCredentials(victim.credentials());
      expect((await thief.get('/api/me')).status).toBe(401);
    });

    it('GET /health reports the store up', async () => {
      const response = await client().get('/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });

    it('applies the helmet preset', async () => {
      const response = await client().get('/');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBeDefined();
    });
  });
}
