import { IsBoolean, IsIn, IsInt, IsOptional, Min } from 'class-validator';

/** What a sign-in does when the principal already has `limit` sessions. */
export type SessionLimitPolicy = 'sign-out-oldest' | 'refuse';

/**
 * The sessions of one principal (`SessionService.listSessions()`, `revokeSession()`, the cap).
 *
 * @example
 * SessionModule.forRoot({
 *   secrets: [process.env.SESSION_SECRET!],
 *   redis: process.env.REDIS_URL,
 *   principalSessions: { limit: 3, onLimit: 'refuse' },
 * })
 */
export class PrincipalSessionsOptions {
  /** Most sessions one principal may have at once. @default undefined (no cap) */
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'principalSessions.limit must be at least 1' })
  limit?: number;

  /**
   * At the cap, a sign-in signs the principal's oldest session out, or is refused with
   * `SessionLimitError` (409). @default 'sign-out-oldest'
   */
  @IsOptional()
  @IsIn(['sign-out-oldest', 'refuse'])
  onLimit?: SessionLimitPolicy;

  /**
   * Without `limit`, the most sessions kept in one principal's index: a sign-in beyond it signs
   * the principal's oldest session out, so an account signing in in a loop cannot grow its index
   * (and the cost of listing and revoking its sessions) without bound. @default 1000
   */
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'principalSessions.maxIndexed must be at least 1' })
  maxIndexed?: number;

  /**
   * Record the client IP (`req.ip`; set Express' `trust proxy` behind a proxy) at sign-in and
   * show it in session lists. Off by default: an IP is personal data. @default false
   */
  @IsOptional()
  @IsBoolean()
  trackClientIp?: boolean;
}

/** {@link PrincipalSessionsOptions} with every default applied. */
export interface ResolvedPrincipalSessionsOptions {
  readonly limit?: number;
  readonly onLimit: SessionLimitPolicy;
  readonly maxIndexed: number;
  readonly trackClientIp: boolean;
}

/** Durability and expiry-notification options with every default applied. */
export interface ResolvedManagementOptions {
  readonly principalSessions: ResolvedPrincipalSessionsOptions;
  readonly replicaAcks: number;
  readonly replicaAckTimeoutMs: number;
  readonly onReplicaShortfall: 'fail' | 'warn';
  readonly expiryNotifications: boolean;
}
