import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { graphQlModule, LockedResolver, SessionResolver } from './graphql-app.js';

const redis = useStandalone();

interface GraphQlAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: { message: string; extensions?: { code?: string; status?: number } }[];
}

describe('a GraphQL resolver on the request session', () => {
  let app: SessionApp;
  /** A second server on the same Redis. */
  let other: SessionApp;
  beforeAll(async () => {
    app = await bootSessionApp({
      options: { redis: redis().url },
      imports: [graphQlModule],
      providers: [SessionResolver, LockedResolver],
    });
    other = await bootSessionApp({
      options: { redis: redis().url },
      imports: [graphQlModule],
      providers: [SessionResolver, LockedResolver],
    });
  });
  afterAll(async () => {
    await app.close();
    await other.close();
  });

  async function ask(
    jar: CookieJar,
    query: string,
    csrf?: string,
    server: SessionApp = app,
  ): Promise<GraphQlAnswer> {
    let call = request(server.http).post('/graphql').set('cookie', jar.header).send({ query });
    if (csrf) call = call.set('x-csrf-token', csrf);
    const response = await call;
    jar.take(response);
    return response.body as GraphQlAnswer;
  }

  /** The status the guard's error carries (Nest puts the HttpException's response there). */
  function refusal(answer: GraphQlAnswer): number | undefined {
    const error = answer.errors?.[0] as {
      extensions?: { originalError?: { statusCode?: number } };
    };
    return error?.extensions?.originalError?.statusCode;
  }

  it('refuses a signed-out client', async () => {
    const jar = new CookieJar();
    expect((await ask(jar, '{ whoami }')).data).toEqual({ whoami: null });
    expect(refusal(await ask(jar, '{ count }'))).toBe(401);
    expect(refusal(await ask(jar, '{ recent }'))).toBe(401);
    const csrf = (await ask(jar, '{ csrf }')).data!.csrf as string;
    expect(refusal(await ask(jar, 'mutation { bump }', csrf))).toBe(401);
  });

  it('reads and changes the session, with CSRF on mutations', async () => {
    const jar = new CookieJar();
    expect((await ask(jar, 'mutation { signIn(id: "erin") }')).data).toEqual({ signIn: true });
    expect((await ask(jar, '{ whoami count recent }')).data).toEqual({
      whoami: 'erin',
      count: null,
      recent: null,
    });
    // A mutation is a POST: without the session's CSRF token, CsrfGuard refuses it.
    expect(refusal(await ask(jar, 'mutation { bump }'))).toBe(403);
    expect(refusal(await ask(jar, 'mutation { bump }', 'forged'))).toBe(403);
    const csrf = (await ask(jar, '{ csrf }')).data!.csrf as string;
    expect((await ask(jar, 'mutation { bump }', csrf)).data).toEqual({ bump: 1 });
    expect((await ask(jar, 'mutation { bump }', csrf)).data).toEqual({ bump: 2 });
    expect((await ask(jar, '{ count }')).data).toEqual({ count: 2 });
  });

  it('@SessionLock() on a resolver: 20 concurrent bumps over two servers all land', async () => {
    const jar = new CookieJar();
    await ask(jar, '{ csrf }');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ask(jar, 'mutation { lockedBump }', undefined, i % 2 === 0 ? app : other),
      ),
    );
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    const values = answers.map((answer) => answer.data!.lockedBump as number);
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Read without the auth guard's refusal: the locked resolver reads it under the lock.
    expect((await ask(jar, 'mutation { lockedBump }', undefined, other)).data).toEqual({
      lockedBump: 21,
    });
  });

  it('@SessionOptimistic() on a resolver: a bump that lost the race is refused with 409', async () => {
    const jar = new CookieJar();
    await ask(jar, '{ csrf }');
    const answers = await Promise.all([
      ask(jar, 'mutation { optimisticBump }', undefined, app),
      ask(jar, 'mutation { optimisticBump }', undefined, other),
    ]);
    const landed = answers.filter((answer) => answer.data?.optimisticBump === 1);
    const refused = answers.filter((answer) => refusal(answer) === 409);
    // Both read count 0 and both try to write 1: one lands, the other is refused, none is lost.
    expect([landed.length, refused.length]).toEqual([1, 1]);
    expect((await ask(jar, 'mutation { lockedBump }')).data).toEqual({ lockedBump: 2 });
  });
});
