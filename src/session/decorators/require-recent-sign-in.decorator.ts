import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { RECENT_SIGN_IN_METADATA } from '../session.constants.js';
import { AuthenticatedGuard } from '../guards/authenticated.guard.js';

/**
 * Step-up: the route needs a principal who signed in at most `maxAgeMs` ago; an older sign-in
 * gets 403 (`RecentSignInRequiredError`) with a reason, no principal gets 401. Applies
 * `AuthenticatedGuard` itself.
 *
 * @example
 * @Post('account/delete')
 * @RequireRecentSignIn(5 * 60_000)
 * deleteAccount() {}
 */
export const RequireRecentSignIn = (maxAgeMs: number) =>
  applyDecorators(SetMetadata(RECENT_SIGN_IN_METADATA, maxAgeMs), UseGuards(AuthenticatedGuard));
