/**
 * Every error this module raises is a `SessionError`. Subclasses are made through static
 * factories whose messages say what to do; `httpStatus` is what a request gets when one reaches
 * HTTP (mapped in one place: `toHttpException`).
 */
export class SessionError extends Error {
  /** The HTTP status a request gets when this error ends it. */
  readonly httpStatus: number = 500;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = this.constructor.name;
  }
}
