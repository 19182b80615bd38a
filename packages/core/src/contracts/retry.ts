import type { HttpMethod } from './request.js';

/**
 * A failure a retry may answer, named by what happened to the request:
 *
 * - `connect-failure`: no connection could be made (refused, unreachable, connect timeout, a
 *   name that does not resolve). The request was never sent.
 * - `reset`: the connection broke before a response arrived (reset, closed by the other side).
 *   The request may have reached the instance.
 * - `timeout`: no response in time: the attempt's `perTryTimeout`, or the transport's read
 *   timeout. The request may have been processed.
 */
export type RetryFailure = 'connect-failure' | 'reset' | 'timeout';

/** An entry of `retryOn`: a failure by kind, or a response status (400-599). */
export type RetryOn = RetryFailure | number;

/** Exponential back-off with full jitter: before retry `n`, a random wait in `[0, min(max, base * 2^(n-1)))`. */
export interface RetryBackoff {
  /** Milliseconds: the first retry waits up to this. @default 25 */
  base?: number;
  /** Milliseconds: no wait is longer than this. @default 250 */
  max?: number;
}

/**
 * When and how a call is tried again, on another instance when one exists. Set for every call
 * (the engine's `retry`, the config's `service-caller.retry`), per endpoint, or per call; a
 * call's own settings replace the ones below them key by key, and `false` turns retries off.
 *
 * A retry is made only when all hold: attempts are left; the failure is listed in `retryOn`;
 * the method is listed in `methods`; the request body can be sent again (a `ReadableStream`
 * cannot); the service's retry budget allows one; the call's timeout leaves time for the wait.
 * A status with a `Retry-After` header waits at least that long, up to `retryAfterMax`.
 *
 * @example
 * ```ts
 * await manager.post('orders', '/orders', { json, retry: { methods: ['POST'], retryOn: ['connect-failure'] } });
 * ```
 */
export interface RetryOptions {
  /** Attempts in all, the first one included: 1 means no retry. At most 10. @default 3 */
  attempts?: number;
  /** The wait before each retry. @default `{ base: 25, max: 250 }` */
  backoff?: RetryBackoff;
  /**
   * The failures and statuses that are retried.
   * @default `['connect-failure', 'reset', 'timeout', 502, 503, 504]`
   */
  retryOn?: readonly RetryOn[];
  /**
   * The methods that are retried: by default the idempotent ones, since a retried POST may be
   * processed twice.
   * @default `['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']`
   */
  methods?: readonly HttpMethod[];
  /**
   * Milliseconds: the longest `Retry-After` (429, 503) honoured. An answer asking for longer is
   * not retried; the call fails with it, and the error says why. @default 2000
   */
  retryAfterMax?: number;
}

/**
 * The retry budget of each service: retries (and hedged attempts) are at most `percent` of the
 * calls of the last 10 seconds, plus `minPerSecond` retries a second, so that an outage cannot
 * turn into a retry storm. A retry the budget refuses is not made; the call fails with its
 * attempt's error, which says so.
 */
export interface RetryBudgetOptions {
  /** Retries as a share of calls, 0-100 (per cent). @default 20 */
  percent?: number;
  /** Retries allowed each second whatever the share, for services with few calls. @default 10 */
  minPerSecond?: number;
}
