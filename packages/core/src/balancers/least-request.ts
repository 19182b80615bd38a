import type { LoadBalancer, Pick, PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { type InstanceLoad, LoadTable } from './load-state.js';
import { type RandomOptions, randomSource } from './random-source.js';
import { ServiceStates } from './service-states.js';
import { twoChoices } from './two-choices.js';

/** In flight per unit of weight, counting the attempt about to go: lower is better. */
function requestCost(load: InstanceLoad): number {
  return (load.inFlight + 1) / load.weight;
}

/**
 * Least request (`lb-type: least_request`): of two instances drawn at random, the one with fewer
 * attempts in flight per unit of weight gets the attempt (the power of two choices, as Envoy's
 * and Kratos' `p2c`). An instance that answers slowly piles up attempts in flight and so gets
 * fewer new ones, without any latency measurement. Healthy instances with weight > 0 only.
 *
 * In-flight counts are learned from the engine's `done()` (for a raw call, when its body has
 * been read or disposed), kept per instance id across list changes.
 *
 * @param options - `seed` or `random` for reproducible draws; see {@link RandomOptions}.
 * @example
 * ```ts
 * createCallEngine({ ..., loadBalancer: leastRequest() });
 * ```
 */
export function leastRequest(options?: RandomOptions): LoadBalancer {
  const random = randomSource(options, 'least_request');
  const states = new ServiceStates(() => new LoadTable(() => {}));
  return {
    name: 'least_request',
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      const table = states.get(context.serviceName);
      if (table.source !== instances) table.rebuild(instances, context.serviceName);
      const loads = table.loads;
      if (loads.length === 0) throw new ServiceUnavailableError(context.serviceName, table.unavailable);
      const load = twoChoices(loads, requestCost, random, context.triedInstances, 'least_request');
      load.inFlight++;
      return load.pick;
    },
  };
}
