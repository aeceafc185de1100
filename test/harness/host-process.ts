import { runInThisContext } from 'node:vm';

/**
 * The real Node.js `process` object.
 *
 * Jest runs each test file in a sandbox whose global `process` is a copy (so is what
 * `process.getBuiltinModule('node:process')` returns there): listeners added to it with
 * `process.on('exit' | 'SIGINT' | 'SIGTERM')` never fire and install no OS signal handler.
 * `vm.runInThisContext` evaluates in Node's main context, where `process` is the real object.
 */
function resolveHostProcess(): NodeJS.Process {
  try {
    const real: unknown = runInThisContext('process');
    if (
      typeof real === 'object' &&
      real !== null &&
      (real as NodeJS.Process).pid === process.pid &&
      typeof (real as NodeJS.Process).on === 'function'
    ) {
      return real as NodeJS.Process;
    }
  } catch {
    // Fall back to the global below.
  }
  return process;
}

/** The real process (not Jest's sandbox copy); use it for `on(...)` hooks and shared state. */
export const hostProcess: NodeJS.Process = resolveHostProcess();

/**
 * Per-OS-process shared state, stored on the real process object under a global symbol so that
 * every Jest test file (each with its own module instances) in one worker sees the same value.
 */
export function sharedState<T extends object>(key: string, create: () => T): T {
  const holder = hostProcess as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(`nestjs-distributed-session.harness.${key}`);
  let value = holder[symbol];
  if (value === undefined) {
    value = create();
    holder[symbol] = value;
  }
  return value;
}
