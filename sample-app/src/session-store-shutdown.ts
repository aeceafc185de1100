import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SessionStore } from 'nestjs-distributed-session';
import { MemcachedSessionStore } from 'nestjs-distributed-session/memcached';
import { PostgresSessionStore } from 'nestjs-distributed-session/postgres';

/**
 * A store the app built and passed in (`store` option: PostgreSQL, Memcached) is the app's to
 * close, with the pool it made; the module closes only what it built itself.
 */
@Injectable()
export class SessionStoreShutdown implements OnApplicationShutdown {
  constructor(private readonly store: SessionStore) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.store instanceof MemcachedSessionStore) await this.store.close();
    if (this.store instanceof PostgresSessionStore) {
      await this.store.close();
      await this.store.pool.end();
    }
  }
}
