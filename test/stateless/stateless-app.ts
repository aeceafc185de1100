import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { SessionModuleOptions } from '../../src/index.js';
import { createSecurityApp } from '../security/security-app.js';
import { CookieJar } from '../support/cookie-jar.js';

/** Cookie-seal keys long enough for the keyring; tests only. */
export const SEAL_KEY_1 = 'cookie-session-key-1-0123456789abcdefghijk';
export const SEAL_KEY_2 = 'cookie-session-key-2-0123456789abcdefghijk';

/** The security test app in cookie-session mode (no `redis`, no `store`). */
export function createCookieSessionApp(
  options: Partial<SessionModuleOptions> = {},
): Promise<INestApplication> {
  return createSecurityApp({ cookieSessions: { keys: [SEAL_KEY_1] }, ...options });
}

/** A client of `app` with its cookie jar, its CSRF token and a User-Agent. */
export class Client {
  readonly jar = new CookieJar();
  csrf = '';

  constructor(
    private readonly app: INestApplication,
    private readonly userAgent = 'test-browser/1.0',
  ) {}

  /** Fetches the CSRF token (which saves the session and sets its cookie). */
  async start(): Promise<this> {
    const response = await this.get('/s/csrf').expect(200);
    this.jar.take(response);
    this.csrf = response.body.token as string;
    return this;
  }

  get(path: string, cookie = this.jar.header) {
    return request(this.app.getHttpServer())
      .get(path)
      .set('user-agent', this.userAgent)
      .set('cookie', cookie);
  }

  async post(path: string, body: object, cookie = this.jar.header) {
    const response = await request(this.app.getHttpServer())
      .post(path)
      .set('user-agent', this.userAgent)
      .set('cookie', cookie)
      .set('x-csrf-token', this.csrf)
      .send(body);
    this.jar.take(response);
    if (typeof response.body?.csrf === 'string') this.csrf = response.body.csrf as string;
    return response;
  }

  /** The sealed cookie as the client holds it. */
  get sid(): string {
    return this.jar.get('sid')!;
  }
}
