import type { ServiceInstance } from './instance.js';
import type { CallOptions } from './request.js';

/**
 * How one attempt on a picked instance ended; fed back to load-aware balancers (and, with the
 * resilience work, to the per-instance health). Reported exactly once per attempt: for a parsed
 * call when its body has been read, for a raw call when the caller has read or disposed the body.
 */
export interface AttemptOutcome {
  /**
   * Why the attempt failed: a transport error (`ConnectionError`), a timeout or an abort (the
   * signal's reason), a 5xx status (an `HttpStatusError`, also when the call does not throw for
   * it), a body that could not be read, or a failure before anything was sent. `undefined` for
   * a success, and for a 4xx: that is the caller's doing, not the instance's (`status` says it).
   */
  readonly error?: unknown;
  /** The response's status, when a response arrived; `undefined` otherwise. */
  readonly status?: number | undefined;
  /** Time from sending the request to the end of the attempt (body included), in milliseconds. */
  readonly latencyMs: number;
}

/** The instance a balancer chose, with an optional callback the engine calls once per attempt. */
export interface Pick {
  readonly instance: ServiceInstance;
  /** Called exactly once when the attempt on `instance` ends. Load-aware balancers use it. */
  done?(outcome: AttemptOutcome): void;
}

/**
 * What a balancer (and a filter) may look at besides the instance list. The engine passes the
 * call's context itself: reading these fields allocates nothing.
 */
export interface PickContext {
  readonly serviceName: string;
  /** 1-based number of the attempt the pick is for: 1, then 2 for the first retry, ... */
  readonly attempt: number;
  /**
   * The instances the earlier attempts of this call went to, oldest first (an instance tried
   * twice is listed twice); empty on the first attempt. A balancer that wants a retry to go
   * elsewhere skips these rather than being handed a filtered array, so its state, cached on
   * the identity of the instance array, survives retries.
   */
  readonly triedInstances: readonly ServiceInstance[];
  /**
   * The call's path, query string included, as `beforeRequest` left it (a balancer that hashes
   * the call, such as `consistent_hash`, reads it). `undefined` outside the engine.
   */
  readonly path?: string;
  /** The call's options as `beforeRequest` left them (its headers and query). `undefined` outside the engine. */
  readonly options?: CallOptions;
}

/**
 * Chooses one instance for an attempt.
 *
 * `pick` is synchronous and on the hot path: it must not allocate per call beyond the returned
 * `Pick`, and should cache any precomputation keyed on the identity of the `instances` array
 * (registries and filters hand out the same array until the list changes). It skips unhealthy
 * instances and throws `ServiceUnavailableError` when no healthy instance is left.
 */
export interface LoadBalancer {
  /** The strategy's name as the config spells it: `round_robin`, `random`, ... */
  readonly name: string;
  pick(instances: readonly ServiceInstance[], context: PickContext): Pick;
}

/** The built-in balancer names (`service-caller.lb-type`); packages register more by name. */
export type LoadBalancerType =
  | 'round_robin'
  | 'random'
  | 'weight_random'
  | 'weight_round_robin'
  | 'least_request'
  | 'peak_ewma'
  | 'consistent_hash';

/**
 * A balancer name as the config takes it: a built-in one, or one a package registered with
 * `registerLoadBalancer` (checked when the manager is built, where the registry is known).
 */
export type LoadBalancerName = LoadBalancerType | (string & {});
