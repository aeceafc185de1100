import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, Min } from 'class-validator';
import type { Cluster, Redis } from 'ioredis';

/** How `@SessionLock()` and `SessionService.withLock()` wait for a session's lock. */
export class SessionLockOptions {
  /** How long a grant lasts; extended automatically while the handler runs. @default 5000 */
  @IsOptional()
  @IsInt()
  @Min(100, { message: 'lock.durationMs must be at least 100' })
  durationMs?: number;

  /** Attempts after the first before giving up. @default 40 */
  @IsOptional()
  @IsInt()
  @Min(0)
  retryCount?: number;

  /** Delay between attempts, ms. @default 50 */
  @IsOptional()
  @IsInt()
  @Min(1)
  retryDelayMs?: number;

  /** Random extra delay per attempt, ms, so waiting requests do not retry in step. @default 50 */
  @IsOptional()
  @IsInt()
  @Min(0)
  retryJitterMs?: number;

  /** Status a request gets when the lock cannot be had in time: 423 Locked or 503. @default 423 */
  @IsOptional()
  @IsIn([423, 503])
  timeoutStatus?: 423 | 503;

  /**
   * Extend the lock while the handler runs. Turn off only to test fencing: a holder that
   * overruns its lock then loses it to the next request, whose fence refuses the late commit.
   * @default true
   */
  @IsOptional()
  @IsBoolean()
  autoExtend?: boolean;

  /**
   * Independent Redis masters for redlock's quorum (N/2+1 must grant). @default [] (the lock
   * lives beside the session, and the commit releases it in the same round trip)
   */
  @IsOptional()
  @IsArray()
  quorum?: (Redis | Cluster)[];
}
