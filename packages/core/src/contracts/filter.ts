import type { PickContext } from './balancer.js';
import type { ServiceInstance } from './instance.js';

/**
 * Narrows the instances the balancer chooses from, on every attempt, in front of it: outlier
 * ejection, zone affinity, a user's own rule. Filters run in the order given, each on the
 * previous one's output; the balancer picks from the last output.
 *
 * The output's identity matters: balancers cache their state (round-robin position, alias
 * table, schedule) on the identity of the array they are handed. A filter therefore returns
 * `instances` itself when it removes nothing, and the same output array for as long as its input
 * array and its own state are unchanged. `filterInstances` builds filters that keep to this.
 *
 * Returning an empty array fails the attempt with `ServiceUnavailableError` naming the filter;
 * a filter that would rather fall back (use everything when too few are left) does so itself.
 *
 * @example
 * ```ts
 * const canaryOff: InstanceFilter = filterInstances('no-canary', (i) => i.metadata.canary !== 'true');
 * createCallEngine({ ..., filters: [canaryOff] });
 * ```
 */
export interface InstanceFilter {
  /** Names the filter in errors and logs. */
  readonly name: string;
  /** The instances left for this attempt; synchronous, on the hot path, allocation-free when nothing changed. */
  filter(instances: readonly ServiceInstance[], context: PickContext): readonly ServiceInstance[];
}
