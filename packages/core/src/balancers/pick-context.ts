import type { PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';

const NOTHING_TRIED: readonly ServiceInstance[] = Object.freeze([]);

/**
 * A `PickContext` for calling a balancer outside the engine (tests, benchmarks, a tool that
 * previews picks): the first attempt of a call, nothing tried yet, unless told otherwise.
 *
 * @example
 * ```ts
 * roundRobin().pick(instances, pickContext('orders')).instance;
 * ```
 */
export function pickContext(
  serviceName: string,
  attempt = 1,
  triedInstances: readonly ServiceInstance[] = NOTHING_TRIED,
): PickContext {
  return { serviceName, attempt, triedInstances };
}
