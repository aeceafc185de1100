import { Controller, Get, Query } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import request from 'supertest';
import type { Response } from 'supertest';
import {
  Session,
  SessionOptionsError,
  SessionService,
  type SessionJwtKey,
  type TypedSession,
} from '../../src/index.js';
import { sessionJwks, verifySessionJwt } from '../../src/jwt/index.js';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';

@Controller('j')
class JwtController {
  constructor(private readonly sessions: SessionService) {}

  @Get('visit')
  visit(@Session() session: TypedSession) {
    session.seen = true;
    return { id: session.id };
  }

  @Get('sign-in')
  async signIn(@Query('user') user: string, @Session() session: TypedSession) {
    await this.sessions.signIn({ id: user });
    return { id: session.id };
  }

  @Get('me')
  me(@Session() session: TypedSession) {
    return { id: session.id, principal: session.principal?.id ?? null };
  }

  @Get('sign-out')
  async signOut() {
    await this.sessions.signOut();
    return { ok: true };
  }
}

const pem = (type: 'ec' | 'ed25519') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('ed25519')
  ).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

const OLD_KEY: SessionJwtKey = { kid: 'k1', privateKey: pem('ec') };
const NEW_KEY: SessionJwtKey = { kid: 'k2', privateKey: pem('ed25519') };
const SHARED_KEY: SessionJwtKey = {
  kid: 'h1',
  secret: 'session-jwt-shared-secret-0123456789abcdef',
};
const CLAIMS = { issuer: 'https://auth.example', audience: 'orders' };
const TTL_MS = 60_000;

const redis = useStandalone();

function bootJwtApp(keys: SessionJwtKey[], store: 'redis' | 'memory' = 'memory') {
  return bootSessionApp({
    controllers: [JwtController],
    options: {
      ...(store === 'redis' && { redis: redis().url, prefix: 'jwt:' }),
      transport: { kind: 'header' },
      jwt: { keys, ttlMs: TTL_MS, ...CLAIMS },
    },
  });
}

/** A header-transport client: sends back the token the last response handed out. */
class HeaderClient {
  token?: string;
  constructor(private readonly app: SessionApp) {}

  async get(path: string): Promise<Response> {
    const call = request(this.app.http).get(path);
    if (this.token) call.set('authorization', `Bearer ${this.token}`);
    const response = await call.expect(200);
    const handed = response.headers['x-session-token'] as string | undefined;
    if (handed !== undefined) this.token = handed || undefined;
    return response;
  }
}

function jwtOf(response: Response): string | undefined {
  return response.headers['x-session-jwt'] as string | undefined;
}

describe('session JWTs for header-transport clients', () => {
  let app: SessionApp;
  beforeAll(async () => {
    app = await bootJwtApp([OLD_KEY], 'redis');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('hands a signed-in session a short-lived JWT that jose verifies with the JWK set alone', async () => {
    const client = new HeaderClient(app);
    expect(jwtOf(await client.get('/j/visit'))).toBeUndefined();
    const signedIn = await client.get('/j/sign-in?user=ann');
    const jwt = jwtOf(signedIn)!;
    expect(jwt).toBeDefined();

    const jwks = sessionJwks([OLD_KEY]);
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: 'k1', alg: 'ES256', use: 'sig' })]);
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
      algorithms: ['ES256'],
      ...CLAIMS,
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    // The public id of the server session, never its token.
    expect(payload.sid).toBe(signedIn.body.id);
    expect(JSON.stringify(payload)).not.toContain(client.token!);
    expect(payload.sub).toBe('ann');
    expect(payload.exp! - payload.iat!).toBe(TTL_MS / 1000);

    const claims = await verifySessionJwt(jwt, jwks, CLAIMS);
    expect(claims).toMatchObject({ sid: signedIn.body.id, sub: 'ann' });
  });

  it('hands out a fresh JWT on each response while signed in, none after sign-out', async () => {
    const client = new HeaderClient(app);
    const signedIn = await client.get('/j/sign-in?user=bob');
    const me = await client.get('/j/me');
    expect(me.body).toEqual({ id: signedIn.body.id, principal: 'bob' });
    const claims = await verifySessionJwt(jwtOf(me)!, sessionJwks([OLD_KEY]), CLAIMS);
    expect(claims.sid).toBe(signedIn.body.id);

    expect(jwtOf(await client.get('/j/sign-out'))).toBeUndefined();
    const after = await client.get('/j/me');
    expect(after.body.principal).toBeNull();
    expect(jwtOf(after)).toBeUndefined();
  });

  it('refuses a JWT altered, for another audience, or of a key no longer listed', async () => {
    const client = new HeaderClient(app);
    const jwt = jwtOf(await client.get('/j/sign-in?user=cy'))!;
    const [header, payload, signature] = jwt.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'root' }),
    ).toString('base64url');
    const jwks = sessionJwks([OLD_KEY]);
    await expect(
      verifySessionJwt(`${header}.${forged}.${signature}`, jwks, CLAIMS),
    ).rejects.toThrow();
    await expect(verifySessionJwt(jwt, jwks, { ...CLAIMS, audience: 'billing' })).rejects.toThrow();
    await expect(verifySessionJwt(jwt, sessionJwks([NEW_KEY]), CLAIMS)).rejects.toThrow(/kid/);
  });

  describe('key rotation', () => {
    let rotated: SessionApp;
    beforeAll(async () => {
      rotated = await bootJwtApp([NEW_KEY, OLD_KEY]);
    });
    afterAll(async () => {
      await rotated?.close();
    });

    it('signs with the newest key; JWTs of the older key still verify', async () => {
      const before = jwtOf(await new HeaderClient(app).get('/j/sign-in?user=dee'))!;
      const after = jwtOf(await new HeaderClient(rotated).get('/j/sign-in?user=dee'))!;
      expect(decodeProtectedHeader(after)).toMatchObject({ alg: 'EdDSA', kid: 'k2' });
      const jwks = sessionJwks([NEW_KEY, OLD_KEY]);
      expect(jwks.keys.map((key) => key.kid)).toEqual(['k2', 'k1']);
      await expect(verifySessionJwt(after, jwks, CLAIMS)).resolves.toMatchObject({ sub: 'dee' });
      await expect(verifySessionJwt(before, jwks, CLAIMS)).resolves.toMatchObject({ sub: 'dee' });
    });
  });

  describe('with a shared secret (HS256)', () => {
    let shared: SessionApp;
    beforeAll(async () => {
      shared = await bootJwtApp([SHARED_KEY]);
    });
    afterAll(async () => {
      await shared?.close();
    });

    it('signs HS256, verifiable with the secret; the JWK set holds no secret', async () => {
      const jwt = jwtOf(await new HeaderClient(shared).get('/j/sign-in?user=eve'))!;
      const secret = new TextEncoder().encode((SHARED_KEY as { secret: string }).secret);
      const { payload } = await jwtVerify(jwt, secret, { algorithms: ['HS256'], ...CLAIMS });
      expect(payload.sub).toBe('eve');
      await expect(verifySessionJwt(jwt, [SHARED_KEY], CLAIMS)).resolves.toMatchObject({
        sub: 'eve',
      });
      expect(sessionJwks([SHARED_KEY])).toEqual({ keys: [] });
    });
  });

  it('refuses wrong jwt options at boot, naming them', async () => {
    const boot = (jwt: unknown) =>
      bootSessionApp({ options: { jwt: jwt as never }, logger: false });
    await expect(boot({ keys: [] })).rejects.toThrow(SessionOptionsError);
    await expect(boot({ keys: [{ kid: 'a', secret: 'short' }] })).rejects.toThrow(
      /jwt\.keys\[0\]: secret must be at least 32 characters/,
    );
    await expect(
      boot({ keys: [{ kid: 'a', secret: SHARED_KEY.kid.padEnd(40, 'x') }], ttlMs: 86_400_000 }),
    ).rejects.toThrow(/jwt\.ttlMs must be at most 3600000/);
    await expect(boot({ keys: [{ kid: 'a', privateKey: 'not a key' }] })).rejects.toThrow(
      /jwt\.keys\[0\]/,
    );
  });
});
