import { IsInt, Min } from 'class-validator';

/**
 * "Remember me": the longest lifetime a sign-in may ask for with
 * `SessionService.signIn(principal, { rememberMe: true })`. Such a session gets a persistent
 * cookie even when `cookie.persistent` is false.
 */
export class SessionRememberMeOptions {
  /**
   * A remembered session ends this long after its sign-in, however much it is used; it must be
   * longer than `absoluteTimeoutMs`. The idle deadline still applies.
   */
  @IsInt()
  @Min(1000, { message: 'rememberMe.absoluteTimeoutMs must be at least 1000 (one second)' })
  absoluteTimeoutMs!: number;
}
