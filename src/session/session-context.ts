import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import type { Session } from './session.js';

/** What the async context carries: the request's session, and the locked sections entered. */
interface ContextFrame {
  readonly session: Session | undefined;
  /** The session whose lock the code running here holds (a locked section), if any. */
  readonly lockedSession?: Session;
  readonly outer?: ContextFrame;
}

/** The session of the request being handled, carried through async calls. */
@Injectable()
export class SessionContext {
  private readonly storage = new AsyncLocalStorage<ContextFrame>();

  run<T>(session: Session, callback: () => T): T {
    return this.storage.run({ session }, callback);
  }

  current(): Session | undefined {
    return this.storage.getStore()?.session;
  }

  /** Runs `callback` as a section holding `session`'s lock; the current session stays as it is. */
  runLockedSection<T>(session: Session, callback: () => T): T {
    const outer = this.storage.getStore();
    return this.storage.run({ session: outer?.session, lockedSession: session, outer }, callback);
  }

  /** Whether the code running now is inside a locked section of `session` (so holds its lock). */
  inLockedSection(session: Session): boolean {
    for (let frame = this.storage.getStore(); frame; frame = frame.outer) {
      if (frame.lockedSession === session) return true;
    }
    return false;
  }
}
