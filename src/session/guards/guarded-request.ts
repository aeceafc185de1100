import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Session } from '../session.js';

/** The request a guard decides on, and how its context reached it. */
export interface GuardedRequest {
  readonly request: Request;
  /** The session the middleware attached; `undefined` when none was (the guard denies). */
  readonly session: Session | undefined;
  readonly type: 'http' | 'graphql' | 'ws';
}

/**
 * The HTTP request behind a guard's context, read generically so no GraphQL or WebSocket
 * package is needed: `http` the request itself; `graphql` the `req` of the resolver context
 * (third argument, as `GqlExecutionContext` gives it); `ws` the handshake request the client
 * keeps (`client.request` in socket.io, `client.upgradeReq` where a `ws` server stores it).
 * `undefined` for any other context type or when the request is not there: the guard denies.
 */
export function guardedRequestOf(context: ExecutionContext): GuardedRequest | undefined {
  const type = context.getType<string>();
  let candidate: unknown;
  if (type === 'http') candidate = context.switchToHttp().getRequest<unknown>();
  else if (type === 'graphql') candidate = field(context.getArgByIndex<unknown>(2), 'req');
  else if (type === 'ws') {
    const client = context.switchToWs().getClient<unknown>();
    candidate = field(client, 'request') ?? field(client, 'upgradeReq');
  } else return undefined;
  if (!isRequestLike(candidate)) return undefined;
  const session: unknown = candidate.session;
  return {
    request: candidate,
    session: session instanceof Session ? session : undefined,
    type,
  };
}

function field(source: unknown, name: string): unknown {
  return typeof source === 'object' && source !== null
    ? (source as Record<string, unknown>)[name]
    : undefined;
}

function isRequestLike(value: unknown): value is Request {
  return typeof field(value, 'headers') === 'object' && field(value, 'headers') !== null;
}
