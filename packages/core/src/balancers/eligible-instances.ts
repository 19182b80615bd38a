import type { Pick } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';

/**
 * The instances a balancer may choose from, built once per instance array.
 *
 * `picks[i]` is a frozen `{ instance }` made here, so a pick returns an existing object and
 * allocates nothing.
 */
export interface EligibleInstances {
  readonly picks: readonly Pick[];
  /** For weighted balancers: `weights[i]` belongs to `picks[i]` and is > 0. Empty otherwise. */
  readonly weights: readonly number[];
  /** Why nothing is eligible (the `ServiceUnavailableError` detail), or `undefined` when something is. */
  readonly unavailable: string | undefined;
}

/** Healthy instances, weights ignored: what `round_robin` and `random` choose from. */
export function healthyInstances(instances: readonly ServiceInstance[]): EligibleInstances {
  const picks: Pick[] = [];
  for (const instance of instances) {
    if (instance.healthy !== false) picks.push(Object.freeze({ instance }));
  }
  return { picks, weights: [], unavailable: picks.length > 0 ? undefined : describeEmpty(instances) };
}

/**
 * Healthy instances with a weight above 0: what the weighted balancers choose from.
 *
 * Weight 0 means "send nothing here" (registries use it to drain an instance), so when every healthy
 * instance weighs 0 the service is unavailable rather than balanced evenly.
 *
 * @throws ServiceUnavailableError when a healthy instance's weight is not a finite number >= 0:
 *   the registry broke the `ServiceInstance` contract and no share can be computed.
 */
export function weightedInstances(
  instances: readonly ServiceInstance[],
  serviceName: string,
): EligibleInstances {
  const picks: Pick[] = [];
  const weights: number[] = [];
  let healthy = 0;
  for (const instance of instances) {
    if (instance.healthy === false) continue;
    healthy++;
    const weight = instance.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new ServiceUnavailableError(
        serviceName,
        `instance '${instance.id}' has weight ${String(weight)}; weights must be finite numbers >= 0`,
      );
    }
    if (weight > 0) {
      picks.push(Object.freeze({ instance }));
      weights.push(weight);
    }
  }
  let unavailable: string | undefined;
  if (picks.length === 0) {
    unavailable =
      healthy === 0
        ? describeEmpty(instances)
        : `no healthy instance with weight > 0 (${healthy} healthy, all weight 0)`;
  }
  return { picks, weights, unavailable };
}

function describeEmpty(instances: readonly ServiceInstance[]): string {
  return instances.length === 0
    ? 'no instances'
    : `no healthy instance (${instances.length} instance${instances.length === 1 ? '' : 's'}, all unhealthy)`;
}
