import type { ServiceInstance } from './instance.js';

/** How one attempt on a picked instance ended; fed back to load-aware balancers. */
export interface AttemptOutcome {
  /** The attempt's error, if it failed (transport error or, for balancers that care, a 5xx). */
  readonly error?: unknown;
  /** Time from sending the request to the end of the attempt, in milliseconds. */
  readonly latencyMs: number;
}

/** The instance a balancer chose, with an optional callback the engine calls once per attempt. */
export interface Pick {
  readonly instance: ServiceInstance;
  /** Called exactly once when the attempt on `instance` ends. Load-aware balancers use it. */
  done?(outcome: AttemptOutcome): void;
}

/** What a balancer may look at besides the instance list. */
export interface PickContext {
  readonly serviceName: string;
}

/**
 * Chooses one instance for an attempt.
 *
 * `pick` is synchronous and on the hot path: it must not allocate per call beyond the returned
 * `Pick`, and should cache any precomputation keyed on the identity of the `instances` array
 * (registries hand out the same array until the list changes). It skips unhealthy instances and
 * throws `ServiceUnavailableError` when no healthy instance is left.
 */
export interface LoadBalancer {
  /** The strategy's name as the config spells it: `round_robin`, `random`, ... */
  readonly name: string;
  pick(instances: readonly ServiceInstance[], context: PickContext): Pick;
}

/** The balancer names the config accepts (`service-caller.lb-type`). */
export type LoadBalancerType = 'round_robin' | 'random' | 'weight_random' | 'weight_round_robin';
