import { SessionError } from '../errors/session-error.js';

/** An unsafe request came without the session's CSRF token, or with a wrong one. */
export class CsrfTokenError extends SessionError {
  override readonly httpStatus = 403;

  static missing(headerName: string, fieldName: string): CsrfTokenError {
    return new CsrfTokenError(
      `This request needs the session's CSRF token in the \`${headerName}\` header or the ` +
        `\`${fieldName}\` form field; get it from \`sessionService.csrfToken()\`.`,
    );
  }

  static invalid(): CsrfTokenError {
    return new CsrfTokenError(
      "The CSRF token does not belong to this session (it changes when the session's token is " +
        'regenerated, e.g. at sign-in); fetch the current one and retry.',
    );
  }
}

/** The route needs a signed-in principal and the session has none. */
export class SignInRequiredError extends SessionError {
  override readonly httpStatus = 401;

  static noPrincipal(): SignInRequiredError {
    return new SignInRequiredError('This route needs a signed-in session; sign in first.');
  }
}

/** The route needs a recent sign-in (step-up) and the last one is older. */
export class RecentSignInRequiredError extends SessionError {
  override readonly httpStatus = 403;

  static olderThan(maxAgeMs: number, ageMs: number | undefined): RecentSignInRequiredError {
    const age = ageMs === undefined ? 'unknown' : `${Math.round(ageMs / 1000)} s ago`;
    return new RecentSignInRequiredError(
      `This route needs a sign-in within the last ${Math.round(maxAgeMs / 1000)} s (last ` +
        `sign-in: ${age}); sign in again to continue.`,
    );
  }
}

/** A client sent more unknown or forged session tokens than `tokenGuessing` allows. */
export class TooManyUnknownTokensError extends SessionError {
  override readonly httpStatus = 429;

  static within(windowMs: number): TooManyUnknownTokensError {
    return new TooManyUnknownTokensError(
      `Too many unknown or forged session tokens from this client; retry after ${Math.ceil(
        windowMs / 1000,
      )} s without the stale cookie.`,
    );
  }
}

/**
 * A session value stored encrypted could not be opened: not in our format, sealed with a key no
 * longer in `encryption.keys`, or altered or moved in the store. The session is treated as gone.
 */
export class SessionDecryptionError extends SessionError {
  static malformed(): SessionDecryptionError {
    return new SessionDecryptionError(
      'A session value is not in the encrypted format (stored before `encryption` was enabled, ' +
        'or written by something else); the session is treated as gone.',
    );
  }

  static unknownKey(keyId: string): SessionDecryptionError {
    return new SessionDecryptionError(
      `A session value was encrypted with key id '${keyId}', which is not in ` +
        '`encryption.keys`; keep retired keys in the list until their sessions have expired.',
    );
  }

  static reservedKey(name: string): SessionDecryptionError {
    return new SessionDecryptionError(
      `The session key ${JSON.stringify(name)} starts with a prefix \`encryption\` reserves ` +
        'for its own fields; rename it.',
    );
  }

  static otherGeneration(): SessionDecryptionError {
    return new SessionDecryptionError(
      'A session value was sealed for an earlier token generation of its session (before a ' +
        'sign-in, sign-out or regeneration) and put back; the session is treated as gone.',
    );
  }

  static metadataMismatch(field: string): SessionDecryptionError {
    return new SessionDecryptionError(
      `The session metadata '${field}' does not match its authenticated copy: it was edited in ` +
        'the store; the session is treated as gone.',
    );
  }

  static altered(keyId: string): SessionDecryptionError {
    return new SessionDecryptionError(
      `A session value (key id '${keyId}') failed authentication: it was altered, or copied ` +
        'from another session or field; the session is treated as gone.',
    );
  }
}
