import { SetMetadata } from '@nestjs/common';
import { SKIP_CSRF_METADATA } from '../session.constants.js';

/**
 * Exempts a route or controller from `CsrfGuard`, e.g. a webhook authenticated another way.
 *
 * @example
 * @Post('webhooks/payment')
 * @SkipCsrf()
 * paymentWebhook(@Body() event: PaymentEvent) {}
 */
export const SkipCsrf = () => SetMetadata(SKIP_CSRF_METADATA, true);
