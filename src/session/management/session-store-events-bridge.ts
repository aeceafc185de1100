import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { ResolvedSessionOptions } from '../resolve-session-options.js';
import { RESOLVED_SESSION_OPTIONS } from '../session.internal-constants.js';
import { SessionReplicationError } from './management.errors.js';
import { SessionEvents } from '../session-events.js';
import { RedisSessionStore } from '../stores/redis/redis-session-store.js';
import { SessionStore } from '../stores/session-store.js';

/** The part of `EventEmitter2` the forwarding uses. */
interface EventEmitterLike {
  emit(event: string, ...values: unknown[]): boolean;
}

/**
 * Turns store-level happenings (replica shortfall, keyspace expiry, store errors) into
 * `SessionEvents`, starts expiry notifications when asked, and forwards every event to
 * `@nestjs/event-emitter` as `session.<name>` when that package is installed and its module
 * imported (optional: nothing here needs it).
 */
@Injectable()
export class SessionStoreEventsBridge implements OnModuleInit {
  private readonly logger = new Logger('SessionModule');

  constructor(
    @Inject(RESOLVED_SESSION_OPTIONS) private readonly options: ResolvedSessionOptions,
    private readonly store: SessionStore,
    private readonly events: SessionEvents,
    @Optional() private readonly moduleRef?: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    this.store.observe({
      replicaShortfall: ({ requested, acknowledged }) =>
        this.events.emit('store-error', {
          at: new Date(),
          operation: 'replicate',
          error: SessionReplicationError.shortfall(requested, acknowledged),
        }),
      expired: (sessionId) => this.events.emit('expired', { sessionId, at: new Date() }),
      error: (operation, error) =>
        this.events.emit('store-error', { at: new Date(), operation, error }),
    });
    if (this.options.expiryNotifications) {
      if (this.store instanceof RedisSessionStore) await this.store.watchExpiry();
      else this.logger.warn('expiryNotifications needs the Redis store; it is ignored.');
    }
    await this.forwardToEventEmitter();
  }

  /** Forwards to `EventEmitter2` when `@nestjs/event-emitter` is installed and registered. */
  private async forwardToEventEmitter(): Promise<void> {
    const emitter = await this.findEventEmitter();
    if (!emitter) return;
    this.events.onAny((name, event) => {
      emitter.emit(`session.${name}`, event);
    });
  }

  private async findEventEmitter(): Promise<EventEmitterLike | undefined> {
    if (!this.moduleRef) return undefined;
    try {
      // A variable specifier: the package is optional and must not be a build-time dependency.
      // Its own ESM export, not 'eventemitter2': that is CommonJS, and Node's ESM import of it
      // has no named `EventEmitter2` export (only `default`), nor need it be resolvable from here.
      const specifier = '@nestjs/event-emitter';
      const loaded = (await import(specifier)) as { EventEmitter2?: abstract new () => unknown };
      if (!loaded.EventEmitter2) return undefined;
      return this.moduleRef.get(loaded.EventEmitter2, { strict: false }) as EventEmitterLike;
    } catch {
      return undefined; // not installed, or EventEmitterModule not imported
    }
  }
}
