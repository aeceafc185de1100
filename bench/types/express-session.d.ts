// The few parts of express-session the bench uses (the package ships no types and
// @types/express-session is not installed: it would also clash with this library's `req.session`).
declare module 'express-session' {
  import type { RequestHandler } from 'express';

  export class Store {}

  export interface SessionOptions {
    secret: string | string[];
    store?: Store;
    name?: string;
    resave?: boolean;
    saveUninitialized?: boolean;
    rolling?: boolean;
    cookie?: {
      secure?: boolean;
      httpOnly?: boolean;
      sameSite?: 'lax' | 'strict' | 'none';
      maxAge?: number;
      path?: string;
    };
  }

  export type SessionData = Record<string, unknown>;

  export default function session(options: SessionOptions): RequestHandler;
}
