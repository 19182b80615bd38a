import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError } from '../errors/index.js';
import { describeKind } from '../options/describe-value.js';

/**
 * A filter that keeps the instances `keep` accepts, written so that balancers keep their state:
 * it returns its input itself when `keep` accepts every instance, and the same output array for
 * as long as it is handed the same input array (registries hand out one array per change of the
 * list). `keep` must therefore depend on the instance alone, not on the call.
 *
 * @param name Names the filter in errors: `no instance left after filter 'no-canary'`.
 * @param keep Whether an instance stays; called once per instance per new input list.
 * @throws ConfigError for a name that is not a non-empty string or a `keep` that is not a function.
 * @example
 * ```ts
 * const noCanary = filterInstances('no-canary', (instance) => instance.metadata.canary !== 'true');
 * createCallEngine({ discovery, transport, loadBalancer, filters: [noCanary] });
 * ```
 */
export function filterInstances(name: string, keep: (instance: ServiceInstance) => boolean): InstanceFilter {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ConfigError({
      file: '<filterInstances>',
      keyPath: 'name',
      expected: 'a non-empty string',
      found: describeKind(name),
    });
  }
  if (typeof keep !== 'function') {
    throw new ConfigError({
      file: '<filterInstances>',
      keyPath: `'${name}'.keep`,
      expected: 'a function (instance) => boolean',
      found: describeKind(keep),
    });
  }
  let input: readonly ServiceInstance[] | undefined;
  let output: readonly ServiceInstance[] = [];
  return {
    name,
    filter(instances) {
      if (instances !== input) {
        const kept = instances.filter((instance) => keep(instance));
        output = kept.length === instances.length ? instances : Object.freeze(kept);
        input = instances;
      }
      return output;
    },
  };
}
