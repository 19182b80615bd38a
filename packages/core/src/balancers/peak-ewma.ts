import type { AttemptOutcome, LoadBalancer, Pick, PickContext } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { CANCELLED_CODE } from '../engine/failure-kind.js';
import { ConfigError, isServiceCallerError, ServiceUnavailableError } from '../errors/index.js';
import { describeValue } from '../options/describe-value.js';
import { type InstanceLoad, LoadTable } from './load-state.js';
import { type RandomOptions, randomSource } from './random-source.js';
import { ServiceStates } from './service-states.js';
import { twoChoices } from './two-choices.js';

/** The estimate's time constant: it follows the latency of about the last ten seconds (Finagle's). */
const DECAY_MS = 10_000;
/** A failed attempt counts as this many times the instance's current estimate... */
const FAILURE_FACTOR = 10;
/** ...and as at least this many milliseconds. */
const FAILURE_FLOOR_MS = 10;
/** No estimate grows beyond a minute: a long outage must not take hours to forget. */
const MAX_ESTIMATE_MS = 60_000;
/** Added to every estimate, so that instances never measured still compare by their load. */
const EPSILON_MS = 0.001;

/** Options of {@link peakEwma}. */
export interface PeakEwmaOptions extends RandomOptions {
  /**
   * Milliseconds: how fast the latency estimate forgets (its time constant). @default 10000
   */
  decay?: number;
}

/**
 * Peak EWMA (`lb-type: peak_ewma`, Finagle's and Linkerd's): each instance has an estimate of its
 * latency, an exponentially weighted moving average over time that jumps up at once to a slower
 * answer (the "peak") and comes down gradually; the cost of an instance is its estimate times its
 * attempts in flight (plus one), per unit of weight, and of two instances drawn at random the
 * cheaper gets the attempt. So a slow instance gets few calls as soon as it is slow.
 *
 * A failed attempt counts as ten times the instance's current estimate (at least 10 ms), so an
 * instance that fails fast does not look fast and attract traffic. An estimate not refreshed
 * decays towards zero, so an instance avoided for its slowness is tried again after a while and
 * found faster or not. Newcomers start at the mean of the known estimates.
 *
 * @example
 * ```ts
 * createCallEngine({ ..., loadBalancer: peakEwma() });
 * ```
 */
export function peakEwma(options?: PeakEwmaOptions): LoadBalancer {
  const random = randomSource(
    options === undefined ? undefined : { seed: options.seed, random: options.random },
    'peak_ewma',
  );
  const decay = options?.decay ?? DECAY_MS;
  if (typeof decay !== 'number' || !(decay > 0) || !Number.isFinite(decay)) {
    throw new ConfigError({
      file: '<config object>',
      keyPath: 'peak_ewma.decay',
      expected: 'a positive number of milliseconds',
      found: describeValue(decay, 'code'),
    });
  }
  const learn = (load: InstanceLoad, outcome: AttemptOutcome): void => {
    const now = performance.now();
    let rtt = outcome.latencyMs;
    const error = outcome.error;
    // A hedge the engine gave up was at least this slow; any other failure is penalised.
    if (error !== undefined && !(isServiceCallerError(error) && error.code === CANCELLED_CODE)) {
      rtt = Math.max(rtt, FAILURE_FACTOR * load.ewma, FAILURE_FLOOR_MS);
    }
    rtt = Math.min(rtt, MAX_ESTIMATE_MS);
    if (rtt > load.ewma) {
      load.ewma = rtt;
    } else {
      const w = Math.exp(-Math.max(0, now - load.stamp) / decay);
      load.ewma = load.ewma * w + rtt * (1 - w);
    }
    load.stamp = now;
  };
  const initial = (known: readonly InstanceLoad[]) =>
    known.length === 0 ? 0 : known.reduce((sum, load) => sum + load.ewma, 0) / known.length;
  const states = new ServiceStates(() => new LoadTable(learn, initial));
  let now = 0;
  const cost = (load: InstanceLoad): number => {
    const estimate = load.ewma * Math.exp(-Math.max(0, now - load.stamp) / decay);
    return ((estimate + EPSILON_MS) * (load.inFlight + 1)) / load.weight;
  };
  return {
    name: 'peak_ewma',
    pick(instances: readonly ServiceInstance[], context: PickContext): Pick {
      const table = states.get(context.serviceName);
      if (table.source !== instances) table.rebuild(instances, context.serviceName);
      const loads = table.loads;
      if (loads.length === 0) throw new ServiceUnavailableError(context.serviceName, table.unavailable);
      now = performance.now();
      const load = twoChoices(loads, cost, random, context.triedInstances, 'peak_ewma');
      load.inFlight++;
      return load.pick;
    },
  };
}
