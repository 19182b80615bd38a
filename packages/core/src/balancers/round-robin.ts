import type { LoadBalancer, Pick, PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { healthyInstances } from './eligible-instances.js';
import { ServiceStates } from './service-states.js';
import { untriedPick } from './untried.js';

class RoundRobinState {
  source: readonly ServiceInstance[] | undefined = undefined;
  picks: readonly Pick[] = [];
  unavailable: string | undefined = undefined;
  cursor = 0;

  rebuild(instances: readonly ServiceInstance[]): void {
    const eligible = healthyInstances(instances);
    this.source = instances;
    this.picks = eligible.picks;
    this.unavailable = eligible.unavailable;
    // Keep the position rather than restart at 0: a list that changes often would otherwise
    // send every restart's first call to the same instance.
    if (eligible.picks.length > 0) this.cursor %= eligible.picks.length;
  }
}

/**
 * Picks the healthy instances of each service in turn, ignoring weights (`lb-type: round_robin`).
 *
 * Each service keeps its own position. When the instance list changes, the position carries over
 * (modulo the new length): the next `n` picks still visit each of the `n` healthy instances once.
 * A retry skips the instances its call tried, while others are left.
 *
 * @example
 * ```ts
 * const balancer = roundRobin();
 * balancer.pick(instances, { serviceName: 'orders' }).instance;
 * ```
 */
export function roundRobin(): LoadBalancer {
  const states = new ServiceStates(() => new RoundRobinState());
  return {
    name: 'round_robin',
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      const state = states.get(context.serviceName);
      if (state.source !== instances) state.rebuild(instances);
      const picks = state.picks;
      if (picks.length === 0) throw new ServiceUnavailableError(context.serviceName, state.unavailable);
      const index = state.cursor;
      state.cursor = index + 1 === picks.length ? 0 : index + 1;
      return untriedPick(picks, index, context.triedInstances);
    },
  };
}
