import type { LoadBalancer, Pick, PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { weightedInstances } from './eligible-instances.js';
import { ServiceStates } from './service-states.js';
import { SmoothSchedule } from './smooth-schedule.js';
import { untriedPick } from './untried.js';

class SmoothState {
  source: readonly ServiceInstance[] | undefined = undefined;
  picks: readonly Pick[] = [];
  unavailable: string | undefined = undefined;
  /** The last non-empty schedule; kept while the service has no eligible instance, for carry-over. */
  schedule: SmoothSchedule | undefined = undefined;
  scheduled: readonly Pick[] = [];

  rebuild(instances: readonly ServiceInstance[], serviceName: string): void {
    // Forget the old list first: if the new one is malformed, the next call must re-check it.
    this.source = undefined;
    const eligible = weightedInstances(instances, serviceName);
    this.picks = eligible.picks;
    this.unavailable = eligible.unavailable;
    if (eligible.picks.length > 0) {
      this.schedule = new SmoothSchedule(eligible.weights, this.#carriedWeights(eligible.picks));
      this.scheduled = eligible.picks;
    }
    this.source = instances;
  }

  /** The `current` value each new instance had under the previous list (by id), NaN if it is new. */
  #carriedWeights(picks: readonly Pick[]): Float64Array | undefined {
    const previous = this.schedule;
    if (previous === undefined) return undefined;
    const carried = new Float64Array(picks.length);
    const old = this.scheduled;
    // A list with the same instances in the same order (a refresh that changed nothing, or only
    // metadata) needs no map: compare position by position first.
    let samePositions = old.length === picks.length;
    for (let i = 0; samePositions && i < picks.length; i++) {
      samePositions = old[i]!.instance.id === picks[i]!.instance.id;
      carried[i] = previous.currentWeight(i);
    }
    if (samePositions) return carried;
    const byId = new Map<string, number>();
    for (let i = 0; i < old.length; i++) {
      byId.set(old[i]!.instance.id, previous.currentWeight(i));
    }
    for (let i = 0; i < picks.length; i++) carried[i] = byId.get(picks[i]!.instance.id) ?? Number.NaN;
    return carried;
  }
}

/**
 * Smooth weighted round robin, the nginx algorithm (`lb-type: weight_round_robin`).
 *
 * Over every cycle of `sum(weights)` picks each instance is chosen `weight` times, spread out
 * rather than in bursts: weights `{ a: 5, b: 1, c: 1 }` give `a a b a c a a`, never
 * `a a a a a b c`. From a fresh start, no instance is ever more than one pick ahead of its exact
 * share: after `k` picks instance `i` has at most `ceil(k * weight_i / total)` of them.
 *
 * Picks cost O(log n) (a kinetic tournament tree over the instances, see `SmoothSchedule`), a few
 * hundred nanoseconds at 10,000 instances. When the instance list changes, instances still present
 * (same `id`) keep their nginx `current` value and new ones start at 0, nginx's starting value.
 * Weight 0 instances are never picked; when every healthy instance weighs 0 the pick throws
 * `ServiceUnavailableError`.
 *
 * @example
 * ```ts
 * const balancer = weightedRoundRobin();
 * balancer.pick(instances, { serviceName: 'orders' }).instance;
 * ```
 */
export function weightedRoundRobin(): LoadBalancer {
  const states = new ServiceStates(() => new SmoothState());
  return {
    name: 'weight_round_robin',
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      const state = states.get(context.serviceName);
      if (state.source !== instances) state.rebuild(instances, context.serviceName);
      if (state.picks.length === 0) throw new ServiceUnavailableError(context.serviceName, state.unavailable);
      return untriedPick(state.picks, state.schedule!.next(), context.triedInstances);
    },
  };
}
