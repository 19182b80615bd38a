import type { Pick } from './balancer.js';
import type { ServiceInstance } from './instance.js';
import type { CallOptions, HttpMethod } from './request.js';
import type { OutgoingHeaders, RawResponse } from './transport.js';

/**
 * One attempt of a call: which instance it went to and how it ended. The same object is handed
 * to the per-attempt interceptor hooks (`beforeAttempt`, `afterAttempt`) and kept in
 * `RequestContext.attempts`; its outcome fields are those the balancer's `done()` receives.
 */
export interface CallAttempt {
  /** 1-based number of the attempt within its call. */
  readonly number: number;
  readonly instance: ServiceInstance;
  /** The attempt's full URL (query string included: strip it before logging). */
  readonly url: string;
  /**
   * Why the attempt was made: the call's `first` one, a `retry` after a failed attempt, or a
   * `hedge` sent while an earlier attempt was still waiting for its answer.
   */
  readonly kind: 'first' | 'retry' | 'hedge';
  /** `performance.now()` when the attempt started, right after the pick. */
  readonly startTime: number;
  /**
   * `performance.now()` when the attempt ended: its body arrived whole (a parsed call), was read
   * or disposed by the caller (a raw call), or it failed. `undefined` while it runs.
   */
  readonly endTime: number | undefined;
  /**
   * The request headers this attempt sends. In `beforeAttempt` they are this attempt's own copy,
   * which the hook may change (a trace header per attempt); read them only, everywhere else.
   */
  readonly headers: OutgoingHeaders;
  /** The response's status, once a response arrived. */
  readonly status: number | undefined;
  /** Why the attempt failed, once it ended; see `AttemptOutcome.error` (a 4xx is no failure). */
  readonly error: unknown;
  /** `endTime - startTime` in milliseconds; `undefined` while the attempt runs. */
  readonly latencyMs: number | undefined;
}

/**
 * The state of one call, handed to every interceptor stage. One call may make several attempts
 * (retries on another instance); the attempt fields describe the current or last attempt.
 */
export interface RequestContext {
  // Known at every stage. `beforeRequest` may change method, serviceName and path (a canary
  // service, a rewritten path): they are checked again after that stage, as a caller's own are.
  // Changes made later have no effect on the call.
  method: HttpMethod;
  serviceName: string;
  /** The path as given (or as `beforeRequest` rewrote it), query string included. */
  path: string;
  /** `http` or `https`; `beforeRequest` may change it. */
  protocol: 'http' | 'https';
  /** The call's options; `beforeRequest` may change headers, query, body and timeout. */
  options: CallOptions;
  /** Free space for interceptors' own data, keyed by the interceptor's choosing. */
  readonly attributes: Record<string, unknown>;
  /** Whether the caller asked for the raw response (`rawGet` ...). */
  readonly raw: boolean;
  /** `performance.now()` when the call started. */
  readonly startTime: number;

  // Known after an instance is selected.
  /** 1-based number of the current attempt. 0 before the first attempt. */
  attempt: number;
  /**
   * The attempts made so far, oldest first; the last one may still be running (a raw call's
   * attempt ends when its body has been read or disposed). Empty before the first attempt.
   * Built when read, not per call.
   */
  readonly attempts: readonly CallAttempt[];
  /** The instances of the attempts before the current one (what a balancer's `PickContext` sees). */
  readonly triedInstances: readonly ServiceInstance[];
  selectedInstance: ServiceInstance | undefined;
  /** The balancer's pick for the current attempt (carries the optional `done` callback). */
  pick: Pick | undefined;
  /** The full URL of the current attempt. */
  resolvedUrl: string | undefined;
  response: RawResponse | undefined;
  /** The call's failure; an interceptor that sets it to `undefined` in `handleException` handled it. */
  error: unknown;
  /** The parsed body (or the raw response for raw calls), or a fallback set by `handleException`. */
  result: unknown;
  /** `performance.now()` when the response headers arrived. */
  responseTime: number | undefined;
  /** `performance.now()` when the call ended. */
  endTime: number | undefined;
  /** `endTime - startTime` in milliseconds, set when the call ended. */
  duration: number | undefined;
}
