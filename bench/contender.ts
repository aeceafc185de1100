/**
 * One contender of the benchmark, as its own process: a Nest app on the Express adapter serving
 * the bench routes with one way of keeping sessions. Started by `runner.ts` (pinned to its own
 * core), configured by environment variables, reports its port over the IPC channel and exits when
 * the runner goes away.
 *
 *   BENCH_KIND            baseline | express-session | floor | lean | memory | standalone | cluster | locked |
 *                         fastify-baseline | fastify-standalone (the same on Nest's Fastify adapter) |
 *                         sample-app (sample-app/ itself, as built by \`npm run build\`) | sample-anchor
 *   BENCH_REDIS_URL       redis://127.0.0.1:port (express-session, floor, lean, standalone, locked, fastify-standalone)
 *   BENCH_CLUSTER_NODES   JSON [{ host, port }] (cluster)
 */
import {
  applyDecorators,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Module,
  Post,
  Req,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { RedisStore } from 'connect-redis';
import type { Request } from 'express';
import session from 'express-session';
import { createClient } from 'redis';
import {
  SessionLock,
  SessionModule,
  type SessionModuleOptions,
  SkipSession,
} from '../src/index.js';
import { createAnchorApp } from './anchor-app.js';
import { createFloorApp } from './floor-app.js';
import { createLeanApp } from './lean-app.js';
import {
  CONTENDER_KINDS,
  type ContenderKind,
  type ContenderMessage,
  FASTIFY_KINDS,
} from './protocol.js';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const IDLE_MS = 30 * 60_000;
/** The 1 KB payload of the memory scenario. */
const PAYLOAD = 'p'.repeat(1024);

type Bag = Record<string, unknown>;
interface BenchUser {
  id: string;
  name: string;
  roles: string[];
}

/** `req.session` as a plain bag: the same code serves express-session and this module. */
function bag(request: Request): Bag {
  return request.session as unknown as Bag;
}

let sequence = 0;

/** The bench routes; `locked` puts `@SessionLock()` on every one of them. */
function sessionController(locked: boolean): Type {
  const Locked = locked ? SessionLock() : applyDecorators();

  @Controller()
  class SessionBenchController {
    @Get('read')
    @Locked
    read(@Req() request: Request) {
      const user = bag(request).user as BenchUser | undefined;
      return { user: user?.name ?? null };
    }

    @Post('write')
    @HttpCode(200)
    @Locked
    write(@Req() request: Request) {
      bag(request).last = ++sequence;
      return { ok: true };
    }

    @Post('login')
    @HttpCode(200)
    @Locked
    login(@Req() request: Request) {
      const user: BenchUser = { id: `u${++sequence}`, name: 'Bench User', roles: ['user'] };
      bag(request).user = user;
      return { user: user.name };
    }

    /** A route that never uses the session; express-session loads it anyway. */
    @Get('health')
    @SkipSession()
    health() {
      return { ok: true };
    }

    @Post('login-big')
    @HttpCode(200)
    loginBig(@Req() request: Request) {
      bag(request).payload = PAYLOAD;
      return { ok: true };
    }

    @Post('increment')
    @HttpCode(200)
    @Locked
    increment(@Req() request: Request) {
      const session = bag(request);
      const value = ((session.counter as number | undefined) ?? 0) + 1;
      session.counter = value;
      return { value };
    }
  }
  return SessionBenchController;
}

/** The same routes without any session: the baseline. */
@Controller()
class BaselineController {
  private counter = 0;

  @Get('read')
  read() {
    return { user: 'Bench User' };
  }

  @Post('write')
  @HttpCode(200)
  write() {
    ++sequence;
    return { ok: true };
  }

  @Post('login')
  @HttpCode(200)
  login() {
    return { user: 'Bench User' };
  }

  @Get('health')
  health() {
    return { ok: true };
  }

  @Post('login-big')
  @HttpCode(200)
  loginBig() {
    return { ok: true };
  }

  @Post('increment')
  @HttpCode(200)
  increment() {
    return { value: ++this.counter };
  }
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function sessionModuleOptions(kind: ContenderKind): SessionModuleOptions {
  const base: SessionModuleOptions = {
    secrets: [SECRET],
    cookie: { secure: false },
    idleTimeoutMs: IDLE_MS,
  };
  switch (kind) {
    case 'memory':
      return base;
    case 'standalone':
    case 'locked':
    case 'fastify-standalone':
      return { ...base, redis: env('BENCH_REDIS_URL') };
    case 'cluster':
      return {
        ...base,
        redis: {
          clusterNodes: JSON.parse(env('BENCH_CLUSTER_NODES')) as { host: string; port: number }[],
        },
      };
    default:
      throw new Error(`${kind} does not use SessionModule`);
  }
}

async function createApp(
  kind: ContenderKind,
): Promise<{ app: INestApplication; close: () => Promise<void> }> {
  const logger: ['error'] = ['error'];
  // Fastify is loaded only for its contenders, as an app on Express would never load it.
  const create = async (module: Type): Promise<INestApplication> => {
    if (!FASTIFY_KINDS.includes(kind)) return NestFactory.create(module, { logger });
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return NestFactory.create(module, new FastifyAdapter(), { logger });
  };
  if (kind === 'baseline' || kind === 'fastify-baseline') {
    @Module({ controllers: [BaselineController] })
    class BaselineModule {}
    return { app: await create(BaselineModule), close: async () => {} };
  }
  if (kind === 'sample-app') {
    // The sample app reads its options from the environment, as in production.
    Object.assign(process.env, { REDIS_URL: env('BENCH_REDIS_URL'), SESSION_SECRETS: SECRET });
    const { AppModule } = await import('../sample-app/src/app.module.js');
    return { app: await NestFactory.create(AppModule, { logger }), close: async () => {} };
  }
  if (kind === 'sample-anchor') return createAnchorApp(env('BENCH_REDIS_URL'), SECRET, IDLE_MS);
  if (kind === 'floor') {
    return createFloorApp(env('BENCH_REDIS_URL'), sessionController(false), IDLE_MS, '/health');
  }
  if (kind === 'lean') {
    const controller = sessionController(false);
    return createLeanApp(env('BENCH_REDIS_URL'), SECRET, controller, IDLE_MS, '/health');
  }
  if (kind === 'express-session') {
    const client = createClient({ url: env('BENCH_REDIS_URL') });
    await client.connect();
    @Module({ controllers: [sessionController(false)] })
    class ExpressSessionModule {}
    const app = await NestFactory.create<NestExpressApplication>(ExpressSessionModule, { logger });
    app.use(
      session({
        store: new RedisStore({ client }),
        secret: SECRET,
        resave: false,
        saveUninitialized: false,
        cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: IDLE_MS },
      }),
    );
    return { app, close: () => client.quit().then(() => undefined) };
  }
  @Module({
    imports: [SessionModule.forRoot(sessionModuleOptions(kind))],
    // BENCH_LOCKED=1 locks the routes of another kind too (bench/lock-contention.ts, memory).
    controllers: [sessionController(kind === 'locked' || process.env.BENCH_LOCKED === '1')],
  })
  class SessionBenchModule {}
  // The module warns once about cookie.secure: false (plain HTTP on loopback); keep the log quiet.
  return { app: await create(SessionBenchModule), close: async () => {} };
}

function send(message: ContenderMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const kind = process.env.BENCH_KIND as ContenderKind;
  if (!CONTENDER_KINDS.includes(kind)) throw new Error(`unknown BENCH_KIND ${String(kind)}`);
  const { app, close } = await createApp(kind);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  let closing = false;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    await Promise.race([
      app.close().then(close),
      new Promise((resolve) => setTimeout(resolve, 3000)),
    ]).catch(() => undefined);
    process.exit(code);
  };
  // The runner's IPC channel closes when it exits (even when killed): never outlive it.
  process.on('disconnect', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
  send({ type: 'ready', port: address.port, pid: process.pid });
}

main().catch((error: unknown) => {
  send({
    type: 'error',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
});
