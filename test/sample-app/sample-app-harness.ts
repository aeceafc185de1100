import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { AppModule } from '../../sample-app/src/app.module.js';
import { httpAdapterFor } from '../../sample-app/src/http-platform.js';
import { testPlatform } from '../support/test-platform.js';

/** Fixed secret so that several instances share sessions, as SESSION_SECRETS does in production. */
export const SAMPLE_SECRETS = 'sample-app-test-secret-0123456789abcdefghij';

/** Boots the sample app's AppModule with the given environment, on an ephemeral port. */
export async function startSampleApp(env: Record<string, string>): Promise<INestApplication> {
  const saved = { ...process.env };
  Object.assign(process.env, { SESSION_SECRETS: SAMPLE_SECRETS, ...env });
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    // The sample app's own adapter choice, on the platform the suite runs on.
    const adapter = await httpAdapterFor(testPlatform());
    const app = adapter
      ? moduleRef.createNestApplication(adapter, { logger: ['error'] })
      : moduleRef.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    return app;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

export function serverOf(app: INestApplication): () => Server {
  return () => app.getHttpServer() as Server;
}
