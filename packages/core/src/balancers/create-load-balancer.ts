import type { LoadBalancer, LoadBalancerName, LoadBalancerType } from '../contracts/balancer.js';
import { ConfigError } from '../errors/index.js';
import { describeValue } from '../options/describe-value.js';
import { BUILT_IN_NAMES, loadBalancerFactory, loadBalancerNames } from './load-balancer-registry.js';
import { suggestName } from './name-suggestion.js';

/** The built-in names `createLoadBalancer` (and `service-caller.lb-type`) accepts, in documentation order. */
export const LOAD_BALANCER_TYPES: readonly LoadBalancerType[] = BUILT_IN_NAMES;

/** Whether `value` is one of the built-in {@link LOAD_BALANCER_TYPES}. */
export function isLoadBalancerType(value: unknown): value is LoadBalancerType {
  return typeof value === 'string' && (LOAD_BALANCER_TYPES as readonly string[]).includes(value);
}

/** Whether `value` names a balancer `createLoadBalancer` can make now: built-in or registered. */
export function isLoadBalancerName(value: unknown): value is LoadBalancerName {
  return typeof value === 'string' && loadBalancerFactory(value) !== undefined;
}

/** Where a balancer name came from, for the error about a name that is not known. */
export interface LoadBalancerNameSource {
  /** The file (or `<config object>`, an options label) the name was read from. @default '<config object>' */
  readonly file?: string;
  /** The key path of the name. @default 'service-caller.lb-type' */
  readonly keyPath?: string;
  /**
   * The balancer's own settings, passed to its factory: `consistent_hash` needs
   * `{ key: { header: 'x-user-id' } }` (or `query`, or a function); `random`, `weight_random`,
   * `least_request` and `peak_ewma` take `seed` / `random`. @default none
   */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * A new balancer by its config name (`service-caller.lb-type`): a built-in one, or one a package
 * registered with `registerLoadBalancer`.
 *
 * Names are matched exactly (`round_robin`, not `Round-Robin`), like every other config value; a
 * near miss gets a suggestion in the error.
 *
 * @param source Where the name was read, named in the error (a loader passes its file).
 * @throws ConfigError naming the value found and listing the valid names, with a "did you mean"
 *   hint when one is close, e.g.
 *   `<config object>: service-caller.lb-type: expected one of round_robin, random, weight_random,
 *   weight_round_robin, found 'round-robin' (did you mean 'round_robin'?)`; also when a
 *   registered factory returns something that is not a balancer.
 * @example
 * ```ts
 * const balancer = createLoadBalancer(config.lbType); // 'round_robin' | 'random' | ... | a registered name
 * ```
 */
export function createLoadBalancer(
  name: LoadBalancerName,
  source: LoadBalancerNameSource = {},
): LoadBalancer {
  const file = source.file ?? '<config object>';
  const keyPath = source.keyPath ?? 'service-caller.lb-type';
  const factory = typeof name === 'string' ? loadBalancerFactory(name) : undefined;
  if (factory !== undefined) {
    const balancer = factory(source.options);
    if (typeof balancer !== 'object' || balancer === null || typeof balancer.pick !== 'function') {
      throw new ConfigError({
        file,
        keyPath,
        expected: `the factory registered as '${name}' to return a LoadBalancer (an object with pick)`,
        found: balancer === null ? 'null' : typeof balancer,
      });
    }
    return balancer;
  }
  const names = loadBalancerNames();
  const suggestion = typeof name === 'string' ? suggestName(name, names) : undefined;
  throw new ConfigError({
    file,
    keyPath,
    expected: `one of ${names.join(', ')}`,
    found: describeValue(name, 'code', 'single'),
    ...(suggestion === undefined ? {} : { hint: `did you mean '${suggestion}'?` }),
  });
}
