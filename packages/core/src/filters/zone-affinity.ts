import { wasTried } from '../balancers/untried.js';
import type { PickContext } from '../contracts/balancer.js';
import type { InstanceFilter } from '../contracts/filter.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError } from '../errors/index.js';
import { describeValue } from '../options/describe-value.js';

/** Options of {@link zoneAffinity}. */
export interface ZoneAffinityOptions {
  /** This service's zone (or cluster): instances whose metadata names it are preferred. Required. */
  zone: string;
  /** The metadata key that holds an instance's zone. @default 'zone' */
  metadataKey?: string;
  /**
   * Healthy instances the zone must have for calls to stay in it; with fewer, calls go to every
   * zone. @default 1
   */
  minInstances?: number;
}

const FILE = '<zoneAffinity>';

/** What the filter keeps for one input array: the in-zone instances, and how many are healthy. */
interface ZoneSplit {
  readonly input: readonly ServiceInstance[];
  readonly inZone: readonly ServiceInstance[];
  readonly healthyInZone: number;
}

/**
 * Zone (or cluster) affinity, a filter in front of any balancer: calls go to the instances whose
 * `metadata[metadataKey]` equals `zone` while the zone has at least `minInstances` healthy ones
 * among the instances left (outlier ejection runs first, so an ejected instance does not count),
 * and to every instance otherwise. A retry whose call has tried every instance of the zone goes
 * to every zone, so a zone that just died costs a call no more than its retries.
 *
 * Kratos' `selector/filter` is the model: a plain function of the instance list, output stable
 * while its input is (one array per input list, cached).
 *
 * @throws ConfigError for a missing zone, an empty metadata key or a `minInstances` below 1.
 * @example
 * ```ts
 * createCallEngine({ ..., filters: [zoneAffinity({ zone: 'eu-west-1a' })] });
 * ```
 */
export function zoneAffinity(options: ZoneAffinityOptions): InstanceFilter {
  const zone = options?.zone;
  if (typeof zone !== 'string' || zone.trim().length === 0) {
    throw new ConfigError({
      file: FILE,
      keyPath: 'zone',
      expected: 'a zone name',
      found: describeValue(zone, 'code'),
    });
  }
  const key = options.metadataKey ?? 'zone';
  if (typeof key !== 'string' || key.length === 0) {
    throw new ConfigError({
      file: FILE,
      keyPath: 'metadataKey',
      expected: 'a metadata key',
      found: describeValue(key, 'code'),
    });
  }
  const min = options.minInstances ?? 1;
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1) {
    throw new ConfigError({
      file: FILE,
      keyPath: 'minInstances',
      expected: 'a whole number >= 1',
      found: describeValue(min, 'code'),
    });
  }
  // One split per input array (one per service and list change), the last one at hand.
  const splits = new WeakMap<readonly ServiceInstance[], ZoneSplit>();
  let last: ZoneSplit | undefined;
  const splitOf = (instances: readonly ServiceInstance[]): ZoneSplit => {
    if (last?.input === instances) return last;
    let split = splits.get(instances);
    if (split === undefined) {
      const inZone = instances.filter((instance) => instance.metadata[key] === zone);
      const healthyInZone = inZone.reduce((n, instance) => (instance.healthy === false ? n : n + 1), 0);
      split = {
        input: instances,
        inZone: inZone.length === instances.length ? instances : Object.freeze(inZone),
        healthyInZone,
      };
      splits.set(instances, split);
    }
    last = split;
    return split;
  };
  return {
    name: 'zone-affinity',
    filter(instances: readonly ServiceInstance[], context: PickContext): readonly ServiceInstance[] {
      const { inZone, healthyInZone } = splitOf(instances);
      if (healthyInZone < min) return instances;
      const tried = context.triedInstances;
      // A retry stays in the zone while the zone has an instance the call has not tried.
      if (
        tried !== undefined &&
        tried.length !== 0 &&
        inZone.every((instance) => wasTried(instance, tried))
      ) {
        return instances;
      }
      return inZone;
    },
  };
}
