/**
 * The floor of the Redis scenarios: the least any Redis-backed session layer can do on this
 * machine. An Express middleware (`app.use`, not a Nest middleware) that reads a plain cookie,
 * sends one `GET` for it, parses the JSON into `req.session`, and sends one `SET … PX` before the
 * response goes out when the JSON changed. No signature, no hashing of the ID, no expiry check,
 * no locking, no AsyncLocalStorage, no interceptor: it is not safe, it only measures what one
 * round trip per request costs here, with the commands of this module (read 1, change 2,
 * create 1). A ratio target against the baseline that the floor itself misses is out of reach.
 */
import { randomBytes } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';

const COOKIE = 'floor';
const PREFIX = 'floor:';

function presentedId(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const match = /(?:^|;\s*)floor=([^;]+)/.exec(header);
  return match?.[1];
}

/** `controller` serves the bench routes over `request.session`; `skipPath` opens no session. */
export async function createFloorApp(
  redisUrl: string,
  controller: Type,
  idleMs: number,
  skipPath: string,
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const redis = new Redis(redisUrl);
  @Module({ controllers: [controller] })
  class FloorModule {}
  const app = await NestFactory.create<NestExpressApplication>(FloorModule, { logger: ['error'] });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.path === skipPath) return next();
    const id = presentedId(request);
    const open = (loaded: string | null) => {
      const bag: Record<string, unknown> = loaded
        ? (JSON.parse(loaded) as Record<string, unknown>)
        : {};
      (request as unknown as { session: unknown }).session = bag;
      const json = response.json.bind(response);
      response.json = (body: unknown) => {
        const now = JSON.stringify(bag);
        if (now === (loaded ?? '{}')) return json(body);
        const key = id ?? randomBytes(32).toString('base64url');
        if (!id)
          response.setHeader('set-cookie', `${COOKIE}=${key}; Path=/; HttpOnly; SameSite=Lax`);
        redis.set(PREFIX + key, now, 'PX', idleMs).then(
          () => json(body),
          (error: unknown) => next(error),
        );
        return response;
      };
      next();
    };
    if (!id) return open(null);
    redis.get(PREFIX + id).then(open, next);
  });
  return { app, close: () => redis.quit().then(() => undefined) };
}
