import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { OutlierEjectionOptions } from '../contracts/health.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
import type { RetryBudgetOptions, RetryOptions } from '../contracts/retry.js';
import type { EngineSnapshot } from '../contracts/snapshot.js';
import type { RawResponse, Transport } from '../contracts/transport.js';

/** What the call engine is built from. The facade fills it from the config. */
export interface CallEngineOptions {
  /** Where instances come from. */
  discovery: ServiceDiscovery;
  /** How requests are sent. The engine closes it in `close()`. */
  transport: Transport;
  /** How an instance is chosen. */
  loadBalancer: LoadBalancer;
  /**
   * Filters in front of the balancer, run in order on every attempt (see `InstanceFilter`).
   * @default none
   */
  filters?: readonly InstanceFilter[];
  /** Initial interceptors (sorted by `order`, duplicates by name ignored). */
  interceptors?: readonly ServiceInterceptor[];
  /** Where interceptor failures and warnings go. @default a console-backed logger at `warn` */
  logger?: Logger;
  /** Default `timeout` (total, ms) for calls that set none. @default none (connect/read timeouts still apply) */
  timeout?: number;
  /**
   * When and how calls are retried, on another instance when one exists (see `RetryOptions`);
   * `false` for no retries. Calls and endpoints override it key by key.
   * @default 3 attempts for GET, HEAD, OPTIONS, PUT and DELETE on connect failures, resets, timeouts, 502, 503 and 504
   */
  retry?: RetryOptions | false;
  /** Each service's retry budget (see `RetryBudgetOptions`); `false` for none. @default `{ percent: 20, minPerSecond: 10 }` */
  retryBudget?: RetryBudgetOptions | false;
  /** Default `perTryTimeout` (ms) for calls that set none. @default none */
  perTryTimeout?: number;
  /** Default `hedgeDelay` (ms) for calls that set none: hedging for every idempotent call. @default none (no hedging) */
  hedgeDelay?: number;
  /**
   * Outlier ejection (see `OutlierEjectionOptions`), the first filter of the filter stage;
   * `false` for none. @default `{ consecutiveFailures: 5, ejectOnConnectFailure: true, baseEjectionTime: 30000, maxEjectionTime: 300000, maxEjectionPercent: 50 }`
   */
  outlierEjection?: OutlierEjectionOptions | false;
  /** Whether a non-2xx answer throws `HttpStatusError` for calls that do not say (`throwHttpErrors`). @default true */
  throwHttpErrors?: boolean;
  /**
   * What a call option the engine does not know does (`params`, `data`, a typo): `false` logs one
   * warning per key naming the right key and sends the call without it; `true` refuses the call
   * with `InvalidRequestError`. @default false
   */
  strictOptions?: boolean;
  /**
   * Milliseconds `close()` waits for the calls in flight (queued ones included) to end by
   * themselves; then every one left is aborted with `ClosedError` and the transport is closed
   * (with its own bound). @default 10000
   */
  closeTimeout?: number;
}

/** The engine behind `ServiceManager`: discovery -> filters -> balancer -> URL -> transport -> parse, inside the chain. */
export interface CallEngine {
  /** Runs one call and resolves with the parsed body (see `parseBody`). */
  request(method: HttpMethod, serviceName: string, path: string, options?: CallOptions): Promise<unknown>;
  /** Runs one call and resolves with the unread response; never throws for a status. */
  rawRequest(
    method: HttpMethod,
    serviceName: string,
    path: string,
    options?: CallOptions,
  ): Promise<RawResponse>;
  /** Adds an interceptor; returns false (and changes nothing) when its name is already present. */
  addInterceptor(interceptor: ServiceInterceptor): boolean;
  /** Removes the interceptor with that name; returns whether one was removed. */
  removeInterceptor(name: string): boolean;
  clearInterceptors(): void;
  /** The interceptors in run order. A snapshot: calls in flight keep the list they started with. */
  readonly interceptors: readonly ServiceInterceptor[];
  /** Calls currently in flight. */
  readonly inFlight: number;
  /**
   * What the engine knows now of each service it has called: instances, their health and
   * ejection state, attempts in flight, the last minute's latency and errors. Made when called;
   * read-only. See `EngineSnapshot`.
   */
  snapshot(): EngineSnapshot;
  /**
   * Refuses new calls (`ClosedError`), waits up to `closeTimeout` for the calls in flight, aborts
   * those left with `ClosedError`, then closes the transport. Idempotent.
   */
  close(): Promise<void>;
}
