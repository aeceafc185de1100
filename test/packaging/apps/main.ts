// A minimal Nest app built against the packed tarball, as CommonJS and as an ES module. It imports
// every entry point (their types are checked by tsc), does one request that sets and reads a
// session, and prints one RESULT line.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  MemorySessionStore,
  Session,
  SessionModule,
  SessionService,
  type TypedSession,
} from 'nestjs-distributed-session';
import { SessionHealthIndicator } from 'nestjs-distributed-session/health';
import { SESSION_HELMET_DEFAULTS, sessionHelmet } from 'nestjs-distributed-session/helmet';
import { sessionJwks, verifySessionJwt } from 'nestjs-distributed-session/jwt';
import { MemcachedSessionStore } from 'nestjs-distributed-session/memcached';
import { SessionMetricsModule } from 'nestjs-distributed-session/metrics';
import { PostgresSessionStore } from 'nestjs-distributed-session/postgres';
import {
  describeSessionStoreConformance,
  SessionTestingModule,
  signInAs,
} from 'nestjs-distributed-session/testing';

@Controller()
class VisitController {
  constructor(private readonly sessions: SessionService) {}

  @Get('visit')
  visit(@Session() session: TypedSession): { visits: number; service: boolean } {
    const visits = (typeof session.visits === 'number' ? session.visits : 0) + 1;
    session.visits = visits;
    return { visits, service: this.sessions instanceof SessionService };
  }
}

@Module({
  imports: [
    SessionModule.forRoot({
      secrets: ['packed-tarball-secret-0123456789-abcdef'],
      store: new MemorySessionStore(),
      cookie: { secure: false },
    }),
  ],
  controllers: [VisitController],
})
class AppModule {}

const entryPoints: Record<string, unknown> = {
  SessionHealthIndicator,
  sessionHelmet,
  SESSION_HELMET_DEFAULTS,
  sessionJwks,
  verifySessionJwt,
  MemcachedSessionStore,
  SessionMetricsModule,
  PostgresSessionStore,
  describeSessionStoreConformance,
  SessionTestingModule,
  signInAs,
};

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const first = await fetch(`${url}/visit`);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0];
  const second = await fetch(`${url}/visit`, { headers: { cookie } });
  const result = {
    first: await first.json(),
    second: await second.json(),
    cookieName: cookie.split('=')[0],
    entryPoints: Object.fromEntries(
      Object.entries(entryPoints).map(([name, value]) => [name, typeof value]),
    ),
  };
  await app.close();
  console.log(`RESULT ${JSON.stringify(result)}`);
}

void main();
