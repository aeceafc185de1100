/**
 * The data a session holds. Extend it by declaration merging to type `req.session` and
 * `@Session()`:
 *
 * @example
 * declare module 'nestjs-distributed-session' {
 *   interface SessionData {
 *     cart: { sku: string; qty: number }[];
 *     theme: 'light' | 'dark';
 *   }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionData {}

/** Who is signed in to a session. `id` keys the per-user session index. */
export interface SessionPrincipal {
  readonly id: string;
  readonly [claim: string]: unknown;
}
