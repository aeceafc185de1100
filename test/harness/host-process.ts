/**
 * The real Node.js `process` object.
 *
 * Jest runs each test file in a sandbox whose global `process` is a copy: listeners added to it with
 * `process.on('exit' | 'SIGINT' | 'SIGTERM')` never fire, because the real process emits those
 * events on itself. `process.getBuiltinModule('process')` (Node >= 20.16) bypasses Jest's module
 * registry and returns the real object, so exit and signal hooks registered on it do run.
 */
function resolveHostProcess(): NodeJS.Process {
  if (typeof process.getBuiltinModule === 'function') {
    const real = process.getBuiltinModule('node:process');
    if (real) return real;
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
