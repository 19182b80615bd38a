import type { CallAttempt, RequestContext } from './context.js';
import type { EjectionEvent } from './health.js';

/**
 * Runs around every call. Interceptors are sorted by `order` (smaller first, ties in the order
 * added); a second interceptor with a name already present is ignored.
 *
 * - `beforeRequest` runs in order before discovery; a throw fails the call (through `handleException`).
 * - `handleException` runs in reverse order when the call failed; clearing `ctx.error` handles it,
 *   stops the chain, and the call resolves with `ctx.result`.
 * - `afterResponse` runs in reverse order after every call, successful or not, after `handleException`.
 * - A throw in `afterResponse` or `handleException` is logged and never replaces the call's outcome.
 *
 * The per-attempt hooks run once per attempt (a call makes several when it retries or hedges),
 * between the call's stages, and are synchronous: they sit on the hot path between the pick and
 * the send. Tracing makes one span per attempt with them (start it in `beforeAttempt`, with the
 * trace header in `attempt.headers`; end it in `afterAttempt`).
 *
 * - `beforeAttempt` runs in order once the instance is picked, before the request is sent; it may
 *   change `attempt.headers` (this attempt's own copy). A throw fails the attempt (and, with no
 *   attempt left, the call); returning a promise is refused the same way, since nothing would
 *   wait for it.
 * - `afterAttempt` runs in reverse order when the attempt's outcome is known: after its body was
 *   read, so for a raw call when the caller has read or disposed it (after the call's
 *   `afterResponse`). A throw is logged and changes nothing.
 *
 * `onEjection` is not about a call: it runs, for every interceptor that has it, when outlier
 * ejection takes an instance out of its service's list or lets it back in. Metrics packages count
 * ejections with it. It is synchronous; a throw is logged.
 */
export interface ServiceInterceptor {
  /** Unique name within a manager; used by `removeInterceptor(name)`. */
  readonly name: string;
  /** Smaller runs first. @default 0 */
  readonly order?: number;
  beforeRequest?(ctx: RequestContext): void | Promise<void>;
  afterResponse?(ctx: RequestContext): void | Promise<void>;
  handleException?(ctx: RequestContext): void | Promise<void>;
  /** Once per attempt, before it is sent; see above. */
  beforeAttempt?(ctx: RequestContext, attempt: CallAttempt): void;
  /** Once per attempt, when its outcome is known; see above. */
  afterAttempt?(ctx: RequestContext, attempt: CallAttempt): void;
  /** When an instance is ejected or returns; see above. */
  onEjection?(event: EjectionEvent): void;
}
