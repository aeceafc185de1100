// `nestjs-distributed-session/jwt`: verifies session JWTs; needs jose (an optional peer), which
// the core loads only when the `jwt` option is given. Downstream services import this alone.
export {
  sessionJwks,
  type SessionJwk,
  type SessionJwtAlgorithm,
  type SessionJwtKey,
  type SessionJwtVerificationKey,
} from '../security/jwt-keys.js';
export {
  type SessionJwtClaims,
  type SessionJwtVerifyOptions,
  verifySessionJwt,
} from '../security/session-jwt.js';
