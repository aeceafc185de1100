import request from 'supertest';
import { useStandalone } from '../harness/index.js';
import { bootSessionApp, type SessionApp } from '../support/boot-session-app.js';
import { CookieJar } from '../support/cookie-jar.js';
import { graphQlModule, SessionResolver } from './graphql-app.js';

const redis = useStandalone();

interface GraphQlAnswer {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: { message: string; extensions?: { code?: string; status?: number } }[];
}

describe('a GraphQL resolver on the request session', () => {
  let app: SessionApp;
  beforeAll(async () => {
    app = await bootSessionApp({
      options: { redis: redis().url },
      imports: [graphQlModule],
      providers: [SessionResolver],
    });
  });
  afterAll(() => app.close());

  async function ask(jar: CookieJar, query: string, csrf?: string): Promise<GraphQlAnswer> {
    let call = request(app.http).post('/graphql').set('cookie', jar.header).send({ query });
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
});
