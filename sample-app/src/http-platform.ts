import type { AbstractHttpAdapter } from '@nestjs/core';

/** The HTTP platforms the sample app runs on; the routes, bodies and page are the same. */
export type HttpPlatform = 'express' | 'fastify';

/** `HTTP_PLATFORM` (default `express`); anything else stops the app with a clear message. */
export function httpPlatformOf(env: NodeJS.ProcessEnv = process.env): HttpPlatform {
  const platform = env.HTTP_PLATFORM ?? 'express';
  if (platform !== 'express' && platform !== 'fastify') {
    throw new Error(`HTTP_PLATFORM must be 'express' or 'fastify', not '${platform}'`);
  }
  return platform;
}

/**
 * The adapter of the chosen platform; `undefined` for Express, Nest's default. Fastify is loaded
 * only when chosen, so an Express run needs no Fastify package.
 */
export async function httpAdapterFor(
  platform: HttpPlatform,
): Promise<AbstractHttpAdapter | undefined> {
  if (platform === 'express') return undefined;
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return new FastifyAdapter();
}
