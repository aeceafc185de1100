import { type MiddlewareConsumer, Module, type NestModule, ValidationPipe } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { CsrfGuard, SessionModule } from 'nestjs-distributed-session';
import { sessionHelmet } from 'nestjs-distributed-session/helmet';
import { SessionHealthIndicator } from 'nestjs-distributed-session/health';
import { AuthController } from './auth/auth.controller.js';
import { MeController } from './auth/me.controller.js';
import { CartController } from './cart/cart.controller.js';
import { CounterController } from './counter/counter.controller.js';
import { HealthController } from './health/health.controller.js';
import { PreferencesController } from './preferences/preferences.controller.js';
import { SessionController } from './session.controller.js';
import { sessionOptionsFromEnv } from './session-config.js';
import { SessionStoreShutdown } from './session-store-shutdown.js';
import './session-data.js';
import { SessionsController } from './sessions/sessions.controller.js';
import { WebController } from './web/web.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    SessionModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: sessionOptionsFromEnv,
    }),
    TerminusModule,
  ],
  controllers: [
    WebController,
    SessionController,
    AuthController,
    MeController,
    CounterController,
    CartController,
    PreferencesController,
    SessionsController,
    HealthController,
  ],
  providers: [
    SessionHealthIndicator,
    SessionStoreShutdown,
    // Every unsafe request must carry the session's CSRF token (header x-csrf-token).
    { provide: APP_GUARD, useClass: CsrfGuard },
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
      }),
    },
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(sessionHelmet()).forRoutes('{*path}');
  }
}
