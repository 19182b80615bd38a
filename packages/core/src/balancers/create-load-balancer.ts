import type { LoadBalancer, LoadBalancerType } from '../contracts/balancer.js';
import { ConfigError } from '../errors/index.js';
import { suggestName } from './name-suggestion.js';
import { random } from './random.js';
import { roundRobin } from './round-robin.js';
import { weightedRandom } from './weighted-random.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

const FACTORIES: Readonly<Record<LoadBalancerType, () => LoadBalancer>> = {
  round_robin: roundRobin,
  random: () => random(),
  weight_random: () => weightedRandom(),
  weight_round_robin: weightedRoundRobin,
};

/** Every name `createLoadBalancer` (and `service-caller.lb-type`) accepts, in documentation order. */
export const LOAD_BALANCER_TYPES: readonly LoadBalancerType[] = Object.freeze(
  Object.keys(FACTORIES) as LoadBalancerType[],
);

/** Whether `value` is one of {@link LOAD_BALANCER_TYPES}. */
export function isLoadBalancerType(value: unknown): value is LoadBalancerType {
  return typeof value === 'string' && Object.hasOwn(FACTORIES, value);
}

/**
 * A new built-in balancer by its config name (`service-caller.lb-type`).
 *
 * Names are matched exactly (`round_robin`, not `Round-Robin`), like every other config value; a
 * near miss gets a suggestion in the error.
 *
 * @throws ConfigError naming the value found and listing the valid names, with a "did you mean"
 *   hint when one is close, e.g.
 *   `<config object>: service-caller.lb-type: expected one of round_robin, random, weight_random,
 *   weight_round_robin, found 'round-robin' (did you mean 'round_robin'?)`. A config loader that
 *   knows the file can catch it and rethrow with its own `file`.
 * @example
 * ```ts
 * const balancer = createLoadBalancer(config.lbType); // 'round_robin' | 'random' | ...
 * ```
 */
export function createLoadBalancer(type: LoadBalancerType | string): LoadBalancer {
  if (isLoadBalancerType(type)) return FACTORIES[type]();
  const suggestion = typeof type === 'string' ? suggestName(type, LOAD_BALANCER_TYPES) : undefined;
  throw new ConfigError({
    file: '<config object>',
    keyPath: 'service-caller.lb-type',
    expected: `one of ${LOAD_BALANCER_TYPES.join(', ')}`,
    found: describe(type),
    ...(suggestion === undefined ? {} : { hint: `did you mean '${suggestion}'?` }),
  });
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return value === null ? 'null' : typeof value;
  const shown = value.length > 60 ? `${value.slice(0, 60)}...` : value;
  return `'${shown}'`;
}
