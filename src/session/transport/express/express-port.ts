import type { Request, Response } from 'express';
import { clientAddressOf } from '../../../security/session-request.js';
import { firstHeader, type SessionHttpPort } from '../http-port.js';
import { CookieWritingPort, withCookieLine } from '../set-cookie.js';

/** The port over an Express request and its response. */
export class ExpressPort extends CookieWritingPort implements SessionHttpPort {
  constructor(
    readonly request: Request,
    private readonly response: Response,
  ) {
    super();
  }

  get secure(): boolean {
    return this.request.secure;
  }

  get clientAddress(): string | undefined {
    return clientAddressOf(this.request);
  }

  get headersSent(): boolean {
    return this.response.headersSent;
  }

  header(name: string): string | undefined {
    return firstHeader(this.request.headers, name);
  }

  setHeader(name: string, value: string): void {
    this.response.setHeader(name, value);
  }

  protected setCookieLine(name: string, line: string): void {
    const lines = withCookieLine(this.response.getHeader('set-cookie'), name, line);
    this.response.setHeader('set-cookie', lines);
  }
}
