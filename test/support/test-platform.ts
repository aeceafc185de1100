import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { TestingModule } from '@nestjs/testing';

/** The HTTP platform the suites run on: `SESSION_TEST_PLATFORM` (the jest project sets it). */
export type TestPlatform = 'express' | 'fastify';

export function testPlatform(): TestPlatform {
  return process.env.SESSION_TEST_PLATFORM === 'fastify' ? 'fastify' : 'express';
}

/** The Nest application of a compiled test module on the suite's platform. */
export async function createPlatformApp(
  moduleRef: TestingModule,
  options: NestApplicationOptions,
  trustProxy?: boolean | string,
): Promise<INestApplication> {
  if (testPlatform() === 'express') {
    const app = moduleRef.createNestApplication<NestExpressApplication>(options);
    if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
    return app;
  }
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return moduleRef.createNestApplication(new FastifyAdapter({ trustProxy }), options);
}
