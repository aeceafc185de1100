import { SetMetadata } from '@nestjs/common';
import { ALLOW_ANONYMOUS_METADATA } from '../session.constants.js';

/**
 * Lets requests without a signed-in principal through an `AuthenticatedGuard` that is applied to
 * the whole controller or app, e.g. for the sign-in route.
 *
 * @example
 * @Post('login')
 * @AllowAnonymous()
 * login() {}
 */
export const AllowAnonymous = () => SetMetadata(ALLOW_ANONYMOUS_METADATA, true);
