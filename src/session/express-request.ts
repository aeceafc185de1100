import type { TypedSession } from './session.js';

// `req.session` is the session of the request on every Express request.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      session: TypedSession;
    }
  }
}

export {};
