import { HttpException } from '@nestjs/common';
import { SessionError } from './session.errors.js';

/** The one place where a session error becomes an HTTP response. */
export function toHttpException(error: unknown): unknown {
  if (!(error instanceof SessionError) || error.httpStatus === 500) return error;
  return new HttpException(
    { statusCode: error.httpStatus, error: error.name, message: error.message },
    error.httpStatus,
    { cause: error },
  );
}
