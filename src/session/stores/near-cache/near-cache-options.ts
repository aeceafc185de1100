import { IsInt, IsOptional, IsString, Min } from 'class-validator';

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

  /** Pub/sub channel of invalidations, the same on every instance. @default prefix + 'invalidate' */
  @IsOptional()
  @IsString()
  channel?: string;
}
