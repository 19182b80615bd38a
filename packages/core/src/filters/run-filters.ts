import type { PickContext } from '../contracts/balancer.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';

/**
 * The filter stage in front of the balancer: each filter narrows the previous one's output. A
 * filter that leaves nothing fails the attempt with `ServiceUnavailableError` naming it, as does
 * one that breaks the contract by returning something other than an array.
 */
export function runFilters(
  filters: readonly InstanceFilter[],
  instances: readonly ServiceInstance[],
  context: PickContext,
): readonly ServiceInstance[] {
  let list = instances;
  for (let i = 0; i < filters.length; i++) {
    const filter = filters[i]!;
    const kept = filter.filter(list, context);
    if (!Array.isArray(kept)) {
      throw new ServiceUnavailableError(
        context.serviceName,
        `filter '${filter.name}' returned ${kept === null ? 'null' : typeof kept} instead of an instance list`,
      );
    }
    if (kept.length === 0) {
      throw new ServiceUnavailableError(
        context.serviceName,
        `no instance left after filter '${filter.name}' (${list.length} before it)`,
      );
    }
    list = kept;
  }
  return list;
}
