import type { LoadBalancer, Pick, PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { AliasTable } from './alias-table.js';
import { weightedInstances } from './eligible-instances.js';
import { badRandomValue, type RandomOptions, randomSource } from './random-source.js';
import { ServiceStates } from './service-states.js';
import { untriedPick } from './untried.js';

const EMPTY_TABLE = new AliasTable([1]);

class WeightedRandomState {
  source: readonly ServiceInstance[] | undefined = undefined;
  picks: readonly Pick[] = [];
  table: AliasTable = EMPTY_TABLE;
  unavailable: string | undefined = undefined;

  rebuild(instances: readonly ServiceInstance[], serviceName: string): void {
    // Forget the old list first: if the new one is malformed, the next call must re-check it.
    this.source = undefined;
    this.picks = [];
    const eligible = weightedInstances(instances, serviceName);
    this.table = eligible.picks.length > 0 ? new AliasTable(eligible.weights) : EMPTY_TABLE;
    this.picks = eligible.picks;
    this.unavailable = eligible.unavailable;
    this.source = instances;
  }
}

/**
 * Picks a healthy instance at random with probability proportional to its weight
 * (`lb-type: weight_random`).
 *
 * An alias table is built once per instance list, so a pick costs one random number and two array
 * reads whatever the number of instances. Instances of weight 0 are never picked; when every healthy
 * instance weighs 0 the pick throws `ServiceUnavailableError`.
 *
 * @param options - `seed` or `random` to make the choices reproducible; see {@link RandomOptions}.
 * @throws ConfigError when the options are malformed (both set, a non-integer seed, ...).
 * @example
 * ```ts
 * const balancer = weightedRandom();
 * balancer.pick(instances, { serviceName: 'orders' }).instance;
 * ```
 */
export function weightedRandom(options?: RandomOptions): LoadBalancer {
  const next = randomSource(options, 'weight_random');
  const states = new ServiceStates(() => new WeightedRandomState());
  return {
    name: 'weight_random',
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      const state = states.get(context.serviceName);
      if (state.source !== instances) state.rebuild(instances, context.serviceName);
      const picks = state.picks;
      if (picks.length === 0) throw new ServiceUnavailableError(context.serviceName, state.unavailable);
      const r = next();
      if (!(r >= 0 && r < 1)) throw badRandomValue('weight_random', r);
      return untriedPick(picks, state.table.indexFor(r), context.triedInstances);
    },
  };
}
