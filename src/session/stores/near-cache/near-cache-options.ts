import { IsInt, IsOptional, IsString, Min } from 'class-validator';

/** Default of `maxBytes`: 64 MiB per instance. */
export const DEFAULT_NEAR_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Replication of hot sessions into each instance's memory, kept coherent through Redis pub/sub
 * (Redis stores only). Pass `{}` for the defaults.
 */
export class SessionNearCacheOptions {
  /** Sessions kept per instance; the least recently used goes first. @default 10_000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  maxEntries?: number;

  /**
   * Bytes of session data kept per instance (keys and values counted as UTF-16, plus 512 per
   * session); the least recently used go first, and a larger session is never cached.
   * @default 67_108_864 (64 MiB)
   */
  @IsOptional()
  @IsInt()
  @Min(1024)
  maxBytes?: number;

  /**
   * Longest wait of a write for every instance to confirm that it dropped its copy, ms. Past
   * it the write answers anyway and a `store-error` (operation 'invalidate') is reported.
   * @default 1000
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  ackTimeoutMs?: number;

  /** Pub/sub channel of invalidations, the same on every instance. @default prefix + 'invalidate' */
  @IsOptional()
  @IsString()
  channel?: string;
}
