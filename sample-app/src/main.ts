import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { httpAdapterFor, httpPlatformOf } from './http-platform.js';

async function bootstrap(): Promise<void> {
  const platform = httpPlatformOf();
  const adapter = await httpAdapterFor(platform);
  const app = adapter
    ? await NestFactory.create(AppModule, adapter)
    : await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  new Logger('SampleApp').log(`Listening on http://127.0.0.1:${port} (${platform})`);
}

void bootstrap();
