import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { clientErrorOf } from '../session-http-errors.js';

/** What a refused message tells the client: the HTTP status its refusal would have had. */
export interface SessionSocketRefusal {
  readonly status: number;
  readonly error: string;
  readonly message: string;
}

interface SocketClientLike {
  readonly readyState?: number;
  send?(data: string): void;
  emit?(event: string, data: unknown): void;
}

/**
 * Answers a gateway message refused by a guard or a session error with an `exception` event
 * carrying `{ status, error, message }`, on socket.io (`emit`) and on `ws` (a JSON frame
 * `{ event: 'exception', data }`). Nest's default WebSocket filter would report any guard's
 * `HttpException` as "Internal server error". Server-side failures (5xx) get a generic message,
 * as over HTTP.
 *
 * @example
 * @WebSocketGateway()
 * @UseFilters(SessionSocketExceptionFilter)
 * export class CartGateway {}
 */
@Catch()
export class SessionSocketExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const refusal = refusalOf(exception);
    const client = host.switchToWs().getClient<SocketClientLike>();
    if (typeof client.readyState === 'number' && client.send) {
      client.send(JSON.stringify({ event: 'exception', data: refusal }));
    } else client.emit?.('exception', refusal);
  }
}

function refusalOf(exception: unknown): SessionSocketRefusal {
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    return { status: exception.getStatus(), error: exception.name, message: exception.message };
  }
  const body = clientErrorOf(exception);
  return { status: body.statusCode, error: body.error, message: body.message };
}
