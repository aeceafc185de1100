import { SessionStoreUnavailableError } from '../session.errors.js';

/**
 * Bounds a store call: past `timeoutMs`, or on any client error, the caller gets a
 * {@link SessionStoreUnavailableError} instead of waiting on a reconnecting client.
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
    throw SessionStoreUnavailableError.because(operation, error);
  } finally {
    clearTimeout(timer);
  }
}
