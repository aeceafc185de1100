/**
 * The anchor of the side-by-side scenario: the sample app's cart contract built the usual way, on
 * express-session + connect-redis, with what the sample app adds around sessions: helmet, a CSRF
 * token for unsafe requests (header `x-csrf-token`), and a session bound to the user agent.
 * Routes: `GET /api/session` (state and CSRF token; saves the session), `GET /api/cart`,
 * `POST /api/cart/items` `{ sku, qty }`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Body, Controller, Get, type INestApplication, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RedisStore } from 'connect-redis';
import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { createClient } from 'redis';

interface CartLine {
  sku: string;
  qty: number;
}
interface AnchorSession {
  csrf?: string;
  userAgent?: string;
  cart?: CartLine[];
}

function bag(request: Request): AnchorSession {
  return request.session as unknown as AnchorSession;
}

@Controller('api')
class AnchorController {
  @Get('session')
  state(@Req() request: Request) {
    const data = bag(request);
    data.csrf ??= randomBytes(32).toString('base64url');
    return { authenticated: false, user: null, csrfToken: data.csrf };
  }

  @Get('cart')
  list(@Req() request: Request) {
    return { items: bag(request).cart ?? [] };
  }

  @Post('cart/items')
  add(@Req() request: Request, @Body() item: CartLine) {
    const data = bag(request);
    const items = data.cart ?? [];
    const line = items.find((existing) => existing.sku === item.sku);
    if (line) line.qty += item.qty;
    else items.push({ sku: String(item.sku), qty: Number(item.qty) });
    data.cart = items;
    return { items };
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The user-agent binding and the CSRF check the sample app has, as plain middleware. */
function sessionChecks(request: Request, response: Response, next: NextFunction): void {
  const data = bag(request);
  const agent = request.headers['user-agent'] ?? '';
  if (data.userAgent !== undefined && data.userAgent !== agent) {
    request.session.regenerate(() => next());
    return;
  }
  if (data.userAgent === undefined && data.csrf !== undefined) data.userAgent = agent;
  if (!SAFE_METHODS.has(request.method)) {
    const given = Buffer.from(String(request.headers['x-csrf-token'] ?? ''));
    const expected = Buffer.from(data.csrf ?? '');
    if (
      expected.length === 0 ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    ) {
      response.status(403).json({ statusCode: 403, message: 'invalid CSRF token' });
      return;
    }
  }
  next();
}

/** The anchor app on `redisUrl`; `close` quits its Redis client. */
export async function createAnchorApp(
  redisUrl: string,
  secret: string,
  idleMs: number,
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  @Module({ controllers: [AnchorController] })
  class AnchorModule {}
  const app = await NestFactory.create<NestExpressApplication>(AnchorModule, {
    logger: ['error'],
  });
  app.use(helmet());
  app.use(
    session({
      store: new RedisStore({ client }),
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: idleMs },
    }),
  );
  app.use(sessionChecks);
  return { app, close: () => client.quit().then(() => undefined) };
}
