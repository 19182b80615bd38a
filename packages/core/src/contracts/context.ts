import type { Pick } from './balancer.js';
import type { ServiceInstance } from './instance.js';
import type { CallOptions, HttpMethod } from './request.js';
import type { RawResponse } from './transport.js';

/**
 * The state of one call, handed to every interceptor stage. One call may make several attempts
 * (retries on another instance); the attempt fields describe the current or last attempt.
 */
export interface RequestContext {
  // Known at every stage.
  readonly method: HttpMethod;
  readonly serviceName: string;
  /** The path as given, query string included. */
  readonly path: string;
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
