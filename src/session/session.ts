import { publicIdOf } from '../security/session-token.js';
import type { SessionCookie } from './session-cookie.js';
import type { SessionData, SessionPrincipal } from './session-data.js';
import { stateOf } from './session-state.js';

/** Node-style callback of the express-session API. */
export type SessionCallback = (error?: unknown) => void;

/** Options of {@link SessionApi.regenerate}. */
export interface RegenerateOptions {
  /**
   * Keep the data under the new token. By default the new session is empty, as in
   * express-session (passport's `req.login()` and `req.logout()` rely on it). @default false
   */
  readonly keepData?: boolean;
}

/**
 * What the engine does for a `Session`; the methods below only adapt it to express-session's
 * callback-or-promise API.
 */
export interface SessionOperations {
  save(session: Session): Promise<void>;
  reload(session: Session): Promise<void>;
  regenerate(session: Session, options: RegenerateOptions): Promise<void>;
  destroy(session: Session): Promise<void>;
  cookieOf(session: Session): SessionCookie;
  principalOf(session: Session): SessionPrincipal | undefined;
}

/** Names of the session API; they cannot be used as data keys. */
export const RESERVED_SESSION_KEYS: ReadonlySet<string> = new Set([
  'id',
  'cookie',
  'isNew',
  'principal',
  'createdAt',
  'expiresAt',
  'save',
  'reload',
  'regenerate',
  'destroy',
  'touch',
  'resetMaxAge',
]);

/**
 * The session of one request: `req.session`, `@Session()`. Data keys are plain properties
 * (`req.session.cart = [...]`); changes, nested ones included, are found by comparing each key's
 * JSON at load and at commit, so only changed keys are written.
 *
 * Compatible with express-session: `id`, `cookie`, `regenerate`, `destroy`, `save`, `reload`,
 * `touch`; each method takes a callback or, without one, returns a promise.
 */
export class Session {
  [key: string]: unknown;

  constructor(private readonly operations: SessionOperations) {
    Object.defineProperty(this, 'operations', { enumerable: false });
  }

  /** A public id of the session: `tag.hash`, safe to log; it is not the token. */
  get id(): string {
    return publicIdOf(stateOf(this).key);
  }

  /** True until the session is first saved. */
  get isNew(): boolean {
    return !stateOf(this).stored;
  }

  /** Who is signed in, if anybody. Set with `SessionService.signIn()`. */
  get principal(): SessionPrincipal | undefined {
    return this.operations.principalOf(this);
  }

  /** When the session was first saved. */
  get createdAt(): Date | undefined {
    const meta = stateOf(this).meta;
    return meta ? new Date(meta.createdAt) : undefined;
  }

  /** When the session ends if unused: the earlier of the idle and absolute deadlines. */
  get expiresAt(): Date | undefined {
    const expiresAt = stateOf(this).expiresAt;
    return expiresAt === undefined ? undefined : new Date(expiresAt);
  }

  get cookie(): SessionCookie {
    return this.operations.cookieOf(this);
  }

  /** Saves the changes now instead of before the response. */
  save(): Promise<void>;
  save(callback: SessionCallback): this;
  save(callback?: SessionCallback): Promise<void> | this {
    return adapt(this, this.operations.save(this), callback);
  }

  /** Reads the session again from the store; unsaved changes are dropped. */
  reload(): Promise<void>;
  reload(callback: SessionCallback): this;
  reload(callback?: SessionCallback): Promise<void> | this {
    return adapt(this, this.operations.reload(this), callback);
  }

  /**
   * Gives the session a new token; the old one stops working in the same atomic step. Call it on
   * sign-in and on any change of privilege (session fixation). As in express-session the data is
   * emptied; `{ keepData: true }` keeps it (as `SessionService.signIn()` does).
   */
  regenerate(): Promise<void>;
  regenerate(callback: SessionCallback): this;
  regenerate(options: RegenerateOptions): Promise<void>;
  regenerate(options: RegenerateOptions, callback: SessionCallback): this;
  regenerate(
    first?: RegenerateOptions | SessionCallback,
    second?: SessionCallback,
  ): Promise<void> | this {
    const options = typeof first === 'object' ? first : {};
    const callback = typeof first === 'function' ? first : second;
    return adapt(this, this.operations.regenerate(this, options), callback);
  }

  /** Ends the session in the store and clears the cookie. */
  destroy(): Promise<void>;
  destroy(callback: SessionCallback): this;
  destroy(callback?: SessionCallback): Promise<void> | this {
    return adapt(this, this.operations.destroy(this), callback);
  }

  /** Slides the idle deadline at this request's commit even if nothing changed. */
  touch(): this {
    stateOf(this).touched = true;
    return this;
  }

  /** Same as `touch()`; kept for express-session compatibility. */
  resetMaxAge(): this {
    return this.touch();
  }
}

/** The typed session users see: the session API plus their {@link SessionData}. */
export type TypedSession = Session & Partial<SessionData>;

function adapt<T>(
  session: T,
  operation: Promise<void>,
  callback: SessionCallback | undefined,
): Promise<void> | T {
  if (!callback) return operation;
  operation.then(
    () => callback(),
    (error: unknown) => callback(error),
  );
  return session;
}
