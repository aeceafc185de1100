import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Session } from './session.js';

/** The session of the request being handled, carried through async calls. */
@Injectable()
export class SessionContext {
  private readonly storage = new AsyncLocalStorage<Session>();

  run<T>(session: Session, callback: () => T): T {
    return this.storage.run(session, callback);
  }

  current(): Session | undefined {
    return this.storage.getStore();
  }
}
