import type { AttemptOutcome, Pick } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { weightedInstances } from './eligible-instances.js';

/**
 * One instance's load as a load-aware balancer sees it, learned from the outcomes `done()`
 * reports: attempts in flight and (for `peak_ewma`) a latency estimate. Kept by instance id, so
 * it survives list changes; its `pick` is made once (with a `done` bound to it), so a pick
 * allocates nothing.
 * @internal
 */
export class InstanceLoad {
  readonly id: string;
  instance: ServiceInstance;
  weight: number;
  inFlight = 0;
  /** Latency estimate in ms (`peak_ewma`). */
  ewma = 0;
  /** `performance.now()` of the estimate's last update. */
  stamp = 0;
  pick: Pick;
  readonly #learn: (load: InstanceLoad, outcome: AttemptOutcome) => void;

  constructor(
    instance: ServiceInstance,
    weight: number,
    learn: (load: InstanceLoad, outcome: AttemptOutcome) => void,
  ) {
    this.id = instance.id;
    this.instance = instance;
    this.weight = weight;
    this.#learn = learn;
    this.pick = this.#makePick();
  }

  /** The instance object changed (same id, a new list): the pick must name the new one. */
  update(instance: ServiceInstance, weight: number): void {
    this.weight = weight;
    if (instance !== this.instance) {
      this.instance = instance;
      this.pick = this.#makePick();
    }
  }

  #makePick(): Pick {
    return Object.freeze({
      instance: this.instance,
      done: (outcome: AttemptOutcome) => {
        this.inFlight--;
        this.#learn(this, outcome);
      },
    });
  }
}

/**
 * A service's instances for a load-aware balancer: the eligible ones (healthy, weight > 0) of the
 * current list, each with its `InstanceLoad`, rebuilt only when a different array arrives.
 * @internal
 */
export class LoadTable {
  source: readonly ServiceInstance[] | undefined = undefined;
  loads: readonly InstanceLoad[] = [];
  unavailable: string | undefined = undefined;
  readonly #byId = new Map<string, InstanceLoad>();
  readonly #learn: (load: InstanceLoad, outcome: AttemptOutcome) => void;
  /** What a newcomer's estimate starts at, given the loads already known. */
  readonly #initial: (known: readonly InstanceLoad[]) => number;

  constructor(
    learn: (load: InstanceLoad, outcome: AttemptOutcome) => void,
    initial: (known: readonly InstanceLoad[]) => number = () => 0,
  ) {
    this.#learn = learn;
    this.#initial = initial;
  }

  rebuild(instances: readonly ServiceInstance[], serviceName: string): void {
    const eligible = weightedInstances(instances, serviceName);
    const known = [...this.#byId.values()];
    const start = this.#initial(known);
    const loads: InstanceLoad[] = [];
    const present = new Set<string>();
    for (let i = 0; i < eligible.picks.length; i++) {
      const instance = eligible.picks[i]!.instance;
      const weight = eligible.weights[i]!;
      present.add(instance.id);
      let load = this.#byId.get(instance.id);
      if (load === undefined) {
        load = new InstanceLoad(instance, weight, this.#learn);
        load.ewma = start;
        load.stamp = performance.now();
        this.#byId.set(instance.id, load);
      } else {
        load.update(instance, weight);
      }
      loads.push(load);
    }
    // Forget instances that left, unless an attempt on them is still out (its done() comes later).
    for (const [id, load] of this.#byId) {
      if (!present.has(id) && load.inFlight <= 0) this.#byId.delete(id);
    }
    this.source = instances;
    this.loads = loads;
    this.unavailable = eligible.unavailable;
  }
}
