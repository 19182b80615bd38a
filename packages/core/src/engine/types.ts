import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceDiscovery } from '../contracts/discovery.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInterceptor } from '../contracts/interceptor.js';
import type { Logger } from '../contracts/logger.js';
import type { CallOptions, HttpMethod } from '../contracts/request.js';
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
  /** Refuses new calls (`ClosedError`), waits for calls in flight, then closes the transport. Idempotent. */
  close(): Promise<void>;
}
