import type { RequestContext } from './context.js';

/**
 * Runs around every call. Interceptors are sorted by `order` (smaller first, ties in the order
 * added); a second interceptor with a name already present is ignored.
 *
 * - `beforeRequest` runs in order before discovery; a throw fails the call (through `handleException`).
 * - `handleException` runs in reverse order when the call failed; clearing `ctx.error` handles it,
 *   stops the chain, and the call resolves with `ctx.result`.
 * - `afterResponse` runs in reverse order after every call, successful or not, after `handleException`.
 * - A throw in `afterResponse` or `handleException` is logged and never replaces the call's outcome.
 */
export interface ServiceInterceptor {
  /** Unique name within a manager; used by `removeInterceptor(name)`. */
  readonly name: string;
  /** Smaller runs first. @default 0 */
  readonly order?: number;
  beforeRequest?(ctx: RequestContext): void | Promise<void>;
  afterResponse?(ctx: RequestContext): void | Promise<void>;
  handleException?(ctx: RequestContext): void | Promise<void>;
}
