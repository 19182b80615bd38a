import type { LoadBalancer, Pick, PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { healthyInstances } from './eligible-instances.js';
import { badRandomValue, type RandomOptions, randomSource } from './random-source.js';
import { ServiceStates } from './service-states.js';
import { untriedPick } from './untried.js';

class RandomState {
  source: readonly ServiceInstance[] | undefined = undefined;
  picks: readonly Pick[] = [];
  unavailable: string | undefined = undefined;

  rebuild(instances: readonly ServiceInstance[]): void {
    const eligible = healthyInstances(instances);
    this.source = instances;
    this.picks = eligible.picks;
    this.unavailable = eligible.unavailable;
  }
}

/**
 * Picks a healthy instance uniformly at random, ignoring weights (`lb-type: random`).
 *
 * @param options - `seed` or `random` to make the choices reproducible; see {@link RandomOptions}.
 * @throws ConfigError when the options are malformed (both set, a non-integer seed, ...).
 * @example
 * ```ts
 * const balancer = random({ seed: 7 }); // same sequence on every run
 * ```
 */
export function random(options?: RandomOptions): LoadBalancer {
  const next = randomSource(options, 'random');
  const states = new ServiceStates(() => new RandomState());
  return {
    name: 'random',
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      const state = states.get(context.serviceName);
      if (state.source !== instances) state.rebuild(instances);
      const picks = state.picks;
      const count = picks.length;
      if (count === 0) throw new ServiceUnavailableError(context.serviceName, state.unavailable);
      const r = next();
      if (!(r >= 0 && r < 1)) throw badRandomValue('random', r);
      // r * count can round up to count when r is within an ulp of 1.
      const index = Math.min((r * count) | 0, count - 1);
      return untriedPick(picks, index, context.triedInstances);
    },
  };
}
