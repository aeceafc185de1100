import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { SessionLockInterceptor } from '../interceptors/session-lock.interceptor.js';
import type { SessionLockSettings } from '../locking/session-locker.js';
import { SESSION_LOCK_METADATA } from '../session.constants.js';

/**
 * Runs the handler under the session's lock: serialisable read-modify-write of the session
 * across servers. The session is reloaded under the lock, and a commit from a holder whose lock
 * expired is refused by the fence. Options override the module's `lock` options for this route.
 *
 * @example
 * @Post('counter/increment')
 * @SessionLock()
 * increment(@Session() session: TypedSession) {
 *   session.counter = (session.counter ?? 0) + 1;
 *   return { value: session.counter };
 * }
 */
export const SessionLock = (settings: SessionLockSettings = {}) =>
  applyDecorators(
    SetMetadata(SESSION_LOCK_METADATA, settings),
    UseInterceptors(SessionLockInterceptor),
  );
