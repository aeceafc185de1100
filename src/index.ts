import './session/express-request.js';

export { SessionModule } from './session/session.module.js';
export {
  SESSION_MODULE_OPTIONS,
  type SessionModuleExtras,
} from './session/session.module-definition.js';
export { SessionModuleOptions } from './session/session-module-options.js';
export { SessionCookieOptions } from './session/session-cookie-options.js';
export { SessionRememberMeOptions } from './session/remember-me/remember-me-options.js';
export type { SignInOptions } from './session/remember-me/remembered-deadline.js';
export { SessionJwtOptions } from './session/jwt/session-jwt-options.js';
export {
  sessionJwks,
  type SessionJwk,
  type SessionJwtKey,
  type SessionJwtVerificationKey,
} from './security/jwt-keys.js';
export { SessionLockOptions } from './session/locking/session-lock-options.js';
export type {
  RedisClusterConnection,
  RedisConnection,
  RedisNode,
  RedisSentinelConnection,
} from './session/redis-connection.js';
export {
  Session as SessionObject,
  RESERVED_SESSION_KEYS,
  type RegenerateOptions,
  type SessionCallback,
  type TypedSession,
} from './session/session.js';
export { SessionCookie } from './session/session-cookie.js';
export type { SessionData, SessionPrincipal } from './session/session-data.js';
export { SessionService } from './session/session.service.js';
export {
  SessionEvents,
  type SessionAnyListener,
  type SessionEventBase,
  type SessionEventListener,
  type SessionEventMap,
  type SessionEventName,
} from './session/session-events.js';
export { SessionLock } from './session/decorators/session-lock.decorator.js';
export { SkipSession } from './session/decorators/skip-session.decorator.js';
export { SessionOptimistic } from './session/decorators/session-optimistic.decorator.js';
export type { RetryOptions, SessionLockSettings } from './session/locking/session-locker.js';
export { SESSION_LOCK_METADATA, SESSION_OPTIMISTIC_METADATA } from './session/session.constants.js';
export { Session } from './session/decorators/session.decorator.js';
export {
  SessionConflictError,
  SessionError,
  SessionFencedError,
  SessionLockTimeoutError,
  SessionOptionsError,
  SessionSerializationError,
  SessionStateError,
  SessionStoreRefusedError,
  SessionStoreUnavailableError,
  SessionTooLargeError,
} from './session/session.errors.js';
export {
  SessionStore,
  type CommitReport,
  type CommitResult,
  type DestroyResult,
  type HeldSessionLock,
  type IndexChange,
  type IndexedSession,
  type IndexResult,
  type LockSettings,
  type LoadOptions,
  type LoadResult,
  type LockedLoad,
  type MetadataChange,
  type SessionChange,
  type SessionKey,
  type SessionMetadata,
  type SessionStoreObserver,
  type SessionStoreProbe,
  type SessionSummary,
  type StoredSession,
} from './session/stores/session-store.js';
export { MemorySessionStore } from './session/stores/memory/memory-session-store.js';
export { EncryptedSessionStore } from './session/stores/encrypted/encrypted-session-store.js';
export {
  NearCachedSessionStore,
  type NearCacheOptions,
  type NearCacheStats,
} from './session/stores/near-cache/near-cached-session-store.js';
export { SessionNearCacheOptions } from './session/stores/near-cache/near-cache-options.js';
export { SessionTransportOptions } from './session/transport/session-transport-options.js';
export { SessionCookieSealOptions } from './session/stateless/session-cookie-seal-options.js';
export { CookieSessionStore } from './session/stateless/cookie-session-store.js';
export {
  SessionCookieTooLargeError,
  SessionStoreRequiredError,
  SessionSequenceConflictError,
} from './session/stateless/stateless.errors.js';
export {
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './session/stores/redis/redis-session-store.js';
export {
  SessionCsrfOptions,
  SessionEncryptionOptions,
  SessionFingerprintOptions,
  SessionRotationOptions,
  SessionTokenGuessingOptions,
  type FingerprintMismatchPolicy,
  type FingerprintProperty,
} from './security/security-options.js';
export {
  CsrfTokenError,
  RecentSignInRequiredError,
  SessionDecryptionError,
  SignInRequiredError,
  TooManyUnknownTokensError,
} from './security/security.errors.js';
export {
  ALLOW_ANONYMOUS_METADATA,
  RECENT_SIGN_IN_METADATA,
  SKIP_CSRF_METADATA,
  SKIP_SESSION_METADATA,
} from './session/session.constants.js';
export { CsrfGuard } from './session/guards/csrf.guard.js';
export { AuthenticatedGuard } from './session/guards/authenticated.guard.js';
export { SkipCsrf } from './session/decorators/skip-csrf.decorator.js';
export { AllowAnonymous } from './session/decorators/allow-anonymous.decorator.js';
export { RequireRecentSignIn } from './session/decorators/require-recent-sign-in.decorator.js';
// WebSocket gateways (socket.io or ws): the handshake's session; no socket package is imported.
export {
  DEFAULT_SOCKET_RECHECK_INTERVAL_MS,
  SessionSockets,
  type SessionSocketOptions,
} from './session/sockets/session-sockets.js';
export type {
  SocketClient,
  SocketIoClientLike,
  WsClientLike,
} from './session/sockets/socket-clients.js';
export { SessionOverSocketError } from './session/sockets/sockets.errors.js';
export { SessionSocketInterceptor } from './session/sockets/session-socket.interceptor.js';
export {
  SessionSocketExceptionFilter,
  type SessionSocketRefusal,
} from './session/sockets/session-socket-exception.filter.js';
export {
  PrincipalSessionsOptions,
  type SessionLimitPolicy,
} from './session/management/principal-sessions-options.js';
export type { PrincipalSessionInfo } from './session/management/principal-sessions.js';
export {
  SessionLimitError,
  SessionReplacedError,
  SessionReplicationError,
} from './session/management/management.errors.js';
// What a store can honour, checked at boot. The PostgreSQL and Memcached stores are the subpath
// exports `nestjs-distributed-session/postgres` and `/memcached`, so `pg` and `memcache-client`
// stay optional peers; the express-session adapter needs no package of its own.
export {
  FULL_STORE_CAPABILITIES,
  type SessionStoreCapabilities,
} from './session/stores/session-store.js';
export { SessionCapabilityError } from './session/capabilities/capabilities.errors.js';
export {
  ExpressSessionStoreAdapter,
  type ExpressSessionStoreAdapterOptions,
  type ExpressSessionStoreLike,
  fromExpressSessionStore,
} from './session/stores/express-session-adapter/index.js';
