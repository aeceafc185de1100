/** Injection tokens used inside the module only; never exported from the package. */
export const RESOLVED_SESSION_OPTIONS = Symbol('nestjs-distributed-session:resolved-options');
