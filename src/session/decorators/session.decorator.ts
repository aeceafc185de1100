import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { SessionData } from '../session-data.js';

/**
 * The request's session, typed with your {@link SessionData}; `@Session('cart')` gives one key.
 * Import it under another name if you also use `@nestjs/common`'s own `Session`:
 *
 * @example
 * import { Session as UserSession, type TypedSession } from 'nestjs-distributed-session';
 *
 * @Get('cart')
 * cart(@UserSession('cart') cart: SessionData['cart']) { return cart ?? []; }
 */
export const Session = createParamDecorator(
  (key: keyof SessionData | undefined, context: ExecutionContext) => {
    const session = context.switchToHttp().getRequest<Request>().session;
    return key === undefined ? session : session?.[key as string];
  },
);
