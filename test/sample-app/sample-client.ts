import type { Server } from 'node:http';
import request, { type Response } from 'supertest';
import { CookieJar } from '../support/cookie-jar.js';

/** Real browsers' User-Agent headers, as the device list summarises them. */
export const USER_AGENTS = {
  macChrome:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  windowsFirefox:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
} as const;

/** How a client carries its session token. */
export type Transport = 'cookie' | 'header';

/**
 * A client of the sample app as a browser acts: it keeps its cookies and its User-Agent, and
 * sends the session's CSRF token on unsafe methods.
 */
export class SampleClient {
  readonly jar = new CookieJar();
  private csrfToken = '';
  /** The credentials the CSRF token was issued for. */
  private csrfFor = '';
  private token = '';

  constructor(
    private readonly server: () => Server | string,
    readonly userAgent: string = USER_AGENTS.macChrome,
    private readonly transport: Transport = 'cookie',
  ) {}

  /** What the client presents as its session: the Cookie header, or the bearer token. */
  credentials(): string {
    return this.transport === 'cookie' ? this.jar.header : this.token;
  }

  /** Presents somebody else's credentials from now on (a stolen cookie or token). */
  useCredentials(credentials: string): void {
    if (this.transport === 'header') {
      this.token = credentials;
      return;
    }
    for (const pair of credentials.split('; ')) {
      const eq = pair.indexOf('=');
      this.jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  /** GET /api/session, remembering the CSRF token it returns. */
  async session(): Promise<Response> {
    // The token belongs to the credentials the request was sent with (a rotation in its commit
    // replaces them afterwards, and the next unsafe request fetches it again).
    const sentWith = this.credentials();
    const response = await this.get('/api/session');
    if (response.status === 200) {
      this.csrfToken = response.body.csrfToken as string;
      // Without credentials the request created the session: the token is for the new ones.
      this.csrfFor = sentWith === '' ? this.credentials() : sentWith;
    }
    return response;
  }

  /** Signs in, then fetches the new CSRF token: sign-in regenerates the session. */
  async signIn(username: string, password = `${username}-password`): Promise<Response> {
    await this.session();
    const response = await this.post('/api/auth/login', { username, password });
    await this.session();
    return response;
  }

  get(path: string): Promise<Response> {
    return this.send('get', path);
  }

  post(path: string, body?: object): Promise<Response> {
    return this.send('post', path, body);
  }

  put(path: string, body?: object): Promise<Response> {
    return this.send('put', path, body);
  }

  delete(path: string): Promise<Response> {
    return this.send('delete', path);
  }

  /** A request without the CSRF header. */
  async withoutCsrf(method: 'post' | 'put' | 'delete', path: string, body?: object) {
    return this.send(method, path, body, false);
  }

  private async send(
    method: 'get' | 'post' | 'put' | 'delete',
    path: string,
    body?: object,
    csrf = true,
  ): Promise<Response> {
    // As a page must (README, Renewal): the CSRF token is bound to the session token, so after
    // a rotation replaced the token, fetch the new CSRF token before the next unsafe request.
    if (csrf && method !== 'get' && this.csrfFor !== '' && this.csrfFor !== this.credentials()) {
      await this.session();
    }
    let call = request(this.server())[method](path).set('user-agent', this.userAgent);
    if (this.transport === 'cookie' && this.jar.header) call = call.set('cookie', this.jar.header);
    if (this.transport === 'header' && this.token) {
      call = call.set('authorization', `Bearer ${this.token}`);
    }
    if (csrf && method !== 'get') call = call.set('x-csrf-token', this.csrfToken);
    const response = await (body === undefined ? call : call.send(body));
    this.jar.take(response);
    const issued = response.headers['x-session-token'] as string | undefined;
    if (issued !== undefined) this.token = issued;
    return response;
  }
}
