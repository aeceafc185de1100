import { SessionStoreRefusedError, SessionStoreUnavailableError } from '../session.errors.js';

/** Replies that mean the command reached Redis and failed there, outage or not. */
const REFUSAL = /^(WRONGTYPE|ERR .*script|ERR user_script|NOSCRIPT)/i;

/**
 * Bounds a store call: past `timeoutMs`, or on a connection error, the caller gets a
 * {@link SessionStoreUnavailableError} instead of waiting on a reconnecting client; a refusal
 * by the server itself is a {@link SessionStoreRefusedError}.
 */
export function withTimeout<T>(
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  // One promise settled by whichever comes first, rather than a race of two promises inside an
  // async function: this wraps every store round trip of every request.
  return new Promise<T>((resolve, reject) => {
    const fail = (error: unknown) => {
      clearTimeout(timer);
      reject(storeErrorOf(operation, error));
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      fail(error);
      return;
    }
    pending.then((value) => {
      clearTimeout(timer);
      resolve(value);
    }, fail);
  });
}

function storeErrorOf(operation: string, error: unknown): Error {
  // A script error or a key of the wrong type is a bug, not an outage: it must not read as 503.
  if (error instanceof Error && error.name === 'ReplyError' && REFUSAL.test(error.message)) {
    return SessionStoreRefusedError.because(operation, error);
  }
  return SessionStoreUnavailableError.because(operation, error);
}
