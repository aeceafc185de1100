import { SetMetadata } from '@nestjs/common';
import { SKIP_SESSION_METADATA } from '../session.constants.js';

/**
 * Opens no session for a route or controller that never uses one (a health check, a public
 * catalogue, a webhook): no store round trip, no cookie, nothing written. `@Session()` there
 * throws `SessionStateError`, and so does `SessionService.current()`; the library's guards deny
 * (no session, no principal). Routes are found by scanning the controllers at boot; a route that
 * is also `@SessionLock()` stops the boot.
 *
 * @example
 * @Get('health')
 * @SkipSession()
 * health() { return { ok: true }; }
 */
export const SkipSession = () => SetMetadata(SKIP_SESSION_METADATA, true);
