import type { LoadBalancer, LoadBalancerType } from '../contracts/balancer.js';
import { ConfigError } from '../errors/index.js';
import { describeKind, describeValue } from '../options/describe-value.js';
import { type ConsistentHashOptions, consistentHash } from './consistent-hash.js';
import { leastRequest } from './least-request.js';
import { type PeakEwmaOptions, peakEwma } from './peak-ewma.js';
import { random } from './random.js';
import type { RandomOptions } from './random-source.js';
import { roundRobin } from './round-robin.js';
import { weightedRandom } from './weighted-random.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

/**
 * Makes a new balancer, with its own state, each time it is called; `options` are the settings
 * the config (or `createLoadBalancer`'s caller) gives the balancer by name, `undefined` for none.
 */
export type LoadBalancerFactory = (options?: Readonly<Record<string, unknown>>) => LoadBalancer;

const BUILT_IN: Readonly<Record<LoadBalancerType, LoadBalancerFactory>> = {
  round_robin: () => roundRobin(),
  random: (options) => random(options as RandomOptions | undefined),
  weight_random: (options) => weightedRandom(options as RandomOptions | undefined),
  weight_round_robin: () => weightedRoundRobin(),
  least_request: (options) => leastRequest(options as RandomOptions | undefined),
  peak_ewma: (options) => peakEwma(options as PeakEwmaOptions | undefined),
  consistent_hash: (options) => consistentHash((options ?? {}) as unknown as ConsistentHashOptions),
};

/** Names the config spells: lower case words joined by underscores, like the built-in ones. */
const NAME = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/*
 * One registry per copy of this module, like any module state: a package registers its balancers
 * when it is imported, before a manager reads `lb-type`. (Two copies of core in one process would
 * each keep their own; deduplicate the dependency.)
 */
const registered = new Map<string, LoadBalancerFactory>();

/** The built-in names, in documentation order. */
export const BUILT_IN_NAMES: readonly LoadBalancerType[] = Object.freeze(
  Object.keys(BUILT_IN) as LoadBalancerType[],
);

function registrationError(keyPath: string, expected: string, found: string, hint?: string): ConfigError {
  return new ConfigError({
    file: '<registerLoadBalancer>',
    keyPath,
    expected,
    found,
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * Makes a balancer available by name to `createLoadBalancer`, and so to
 * `service-caller.lb-type` and `ServiceManager.create({ loadBalancer: 'name' })`. A package that
 * ships a balancer registers it when imported; registering the same factory again does nothing.
 *
 * @param name Lower-case words joined by underscores (`least_request`), not a built-in name.
 * @param factory Makes a fresh balancer (its own state) each time; called once per manager.
 * @throws ConfigError for a malformed name, a built-in name, a factory that is not a function,
 *   or a name already registered with another factory.
 * @example
 * ```ts
 * registerLoadBalancer('first_healthy', () => ({
 *   name: 'first_healthy',
 *   pick: (instances, ctx) => ({ instance: instances.find((i) => i.healthy) ?? fail(ctx) }),
 * }));
 * ```
 */
export function registerLoadBalancer(name: string, factory: LoadBalancerFactory): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw registrationError(
      'name',
      'lower-case words joined by underscores, e.g. least_request',
      describeValue(name, 'code', 'single'),
    );
  }
  if (Object.hasOwn(BUILT_IN, name)) {
    throw registrationError(
      'name',
      `a name other than the built-in ones (${BUILT_IN_NAMES.join(', ')})`,
      `'${name}'`,
    );
  }
  if (typeof factory !== 'function') {
    throw registrationError(
      `'${name}'.factory`,
      'a function that returns a LoadBalancer',
      describeKind(factory),
    );
  }
  const existing = registered.get(name);
  if (existing === factory) return;
  if (existing !== undefined) {
    throw registrationError(
      'name',
      'a name not registered yet',
      `'${name}', registered by another factory`,
      'two copies of the package that registers it? deduplicate it, or choose another name',
    );
  }
  registered.set(name, factory);
}

/**
 * Removes a name `registerLoadBalancer` added (tests, a plugin being unloaded). Built-in names
 * stay. Returns whether the name was registered. Managers already built keep their balancer.
 */
export function unregisterLoadBalancer(name: string): boolean {
  return registered.delete(name);
}

/** Every name `createLoadBalancer` accepts right now: the built-in ones, then the registered ones in order. */
export function loadBalancerNames(): readonly string[] {
  return Object.freeze([...BUILT_IN_NAMES, ...registered.keys()]);
}

/** The factory for `name`, built-in or registered, or `undefined`. @internal */
export function loadBalancerFactory(name: string): LoadBalancerFactory | undefined {
  return Object.hasOwn(BUILT_IN, name) ? BUILT_IN[name as LoadBalancerType] : registered.get(name);
}
