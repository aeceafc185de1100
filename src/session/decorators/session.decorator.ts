import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { guardedRequestOf } from '../guards/guarded-request.js';
import type { SessionData } from '../session-data.js';
import { onSkippedRoute } from '../route-marks/route-marker.js';
import { SessionStateError } from '../session.errors.js';

/**
 * The request's session, typed with your {@link SessionData}; `@Session('cart')` gives one key.
 * Import it under another name if you also use `@nestjs/common`'s own `Session`:
 *
 * @example
 * import { Session as UserSession, type TypedSession } from 'nestjs-distributed-session';
 *
 * @Get('cart')
 * cart(@UserSession('cart') cart: SessionData['cart']) { return cart ?? []; }
 *
 * In a GraphQL resolver it is the session of the context's `req`; in a WebSocket gateway, the
 * session `SessionSockets` attached to the client's handshake.
 */
export const Session = createParamDecorator(
  (key: keyof SessionData | undefined, context: ExecutionContext) => {
    const guarded = guardedRequestOf(context);
    const session = guarded?.session;
    if (!session && guarded && onSkippedRoute(guarded.request)) {
      throw SessionStateError.skipped('@Session()');
    }
    return key === undefined ? session : session?.[key as string];
  },
);
