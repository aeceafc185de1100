/**
 * This module's own work on a request without what it registers in Nest: the session is opened
 * and committed by the library's `SessionRequestFlow` (signature check, hashed store key, the
 * load script on Redis, expiry and fingerprint checks, the snapshot, the commit script), called
 * from an Express `app.use` middleware as the floor's is. No route-matched Nest middleware, no
 * global commit interceptor, no AsyncLocalStorage. Not a way to use the library (a load error
 * reaches Express's error handler instead of Nest's filters, `SessionService.current()` sees no
 * session, `@SkipSession()` is a path check): it splits a request's cost between the library's
 * work (this contender over the baseline) and the Nest plumbing around it (the standalone
 * contender over this one).
 */
import type { INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { SessionModule } from '../src/index.js';
import { SessionRequestFlow } from '../src/session/middleware/session-request-flow.js';
import { ExpressPort } from '../src/session/transport/express/express-port.js';

export async function createLeanApp(
  redisUrl: string,
  secret: string,
  controller: Type,
  idleMs: number,
  skipPath: string,
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  // A context of its own: SessionModule's middleware and global interceptor only apply to an
  // HTTP app that imports it, and this one does not.
  const sessions = await NestFactory.createApplicationContext(
    SessionModule.forRoot({
      secrets: [secret],
      cookie: { secure: false },
      idleTimeoutMs: idleMs,
      redis: redisUrl,
    }),
    { logger: ['error'] },
  );
  const flow = sessions.get(SessionRequestFlow);
  @Module({ controllers: [controller] })
  class LeanModule {}
  const app = await NestFactory.create<NestExpressApplication>(LeanModule, { logger: ['error'] });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.path === skipPath) return next();
    flow.open(new ExpressPort(request, response)).then((session) => {
      request.session = session;
      const json = response.json.bind(response);
      response.json = (body: unknown) => {
        const writing = flow.commit(session);
        if (!writing) return json(body);
        writing.then(() => json(body), next);
        return response;
      };
      next();
    }, next);
  });
  return { app, close: () => sessions.close() };
}
