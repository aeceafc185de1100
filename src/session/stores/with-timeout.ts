import { SessionStoreRefusedError, SessionStoreUnavailableError } from '../session.errors.js';

/** Replies that mean the command reached Redis and failed there, outage or not. */
const REFUSAL = /^(WRONGTYPE|ERR .*script|ERR user_script|NOSCRIPT)/i;

/**
 * Bounds a store call: past `timeoutMs`, or on a connection error, the caller gets a
 * {@link SessionStoreUnavailableError} instead of waiting on a reconnecting client; a refusal
 * by the server itself is a {@link SessionStoreRefusedError}.
 */
export async function withTimeout<T>(
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (error) {
    // A script error or a key of the wrong type is a bug, not an outage: it must not read as 503.
    if (error instanceof Error && error.name === 'ReplyError' && REFUSAL.test(error.message)) {
      throw SessionStoreRefusedError.because(operation, error);
    }
    throw SessionStoreUnavailableError.because(operation, error);
  } finally {
    clearTimeout(timer);
  }
}
