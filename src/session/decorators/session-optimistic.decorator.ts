import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { SessionOptimisticInterceptor } from '../interceptors/session-optimistic.interceptor.js';
import { SESSION_OPTIMISTIC_METADATA } from '../session.constants.js';

/**
 * Optimistic mode for the route: the commit is refused with `SessionConflictError` (HTTP 409)
 * if another request changed the session since it was loaded. Nothing is written then.
 */
export const SessionOptimistic = () =>
  applyDecorators(
    SetMetadata(SESSION_OPTIMISTIC_METADATA, true),
    UseInterceptors(SessionOptimisticInterceptor),
  );
