import { HttpException, Logger } from '@nestjs/common';
import { SessionError } from './session.errors.js';

const logger = new Logger('SessionModule');

/** What a client is told for a server-side failure: never the store's own words. */
const GENERIC_MESSAGES: Readonly<Record<number, string>> = {
  503: 'The session service is unavailable; retry later.',
};

/** The JSON body of an error response. */
export interface SessionErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}

/**
 * The status and body a client gets for an error. A 4xx session error keeps its message (it says
 * what the client can do); a 5xx one, and any other error, gets a generic message, since the
 * message may hold Redis replies, key names or addresses. Those go to the log (and, for store
 * failures, the store already emitted `store-error`).
 */
export function clientErrorOf(error: unknown): SessionErrorBody {
  const status = error instanceof SessionError ? error.httpStatus : 500;
  if (status < 500 && error instanceof SessionError) {
    return { statusCode: status, error: error.name, message: error.message };
  }
  logger.error(
    error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    error instanceof Error ? error.stack : undefined,
  );
  return {
    statusCode: status,
    error: error instanceof SessionError ? error.name : 'Error',
    message: GENERIC_MESSAGES[status] ?? 'Internal server error',
  };
}

/** The one place where a session error becomes an HTTP response; other errors pass through. */
export function toHttpException(error: unknown): unknown {
  if (!(error instanceof SessionError)) return error;
  const body = clientErrorOf(error);
  return new HttpException(body, body.statusCode, { cause: error });
}
