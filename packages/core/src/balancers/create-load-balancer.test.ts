import { afterEach, describe, expect, it } from 'vitest';
import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError, isConfigError } from '../errors/index.js';
import {
  createLoadBalancer,
  isLoadBalancerName,
  isLoadBalancerType,
  LOAD_BALANCER_TYPES,
} from './create-load-balancer.js';
import {
  type LoadBalancerFactory,
  loadBalancerNames,
  registerLoadBalancer,
  unregisterLoadBalancer,
} from './load-balancer-registry.js';
import { pickContext } from './pick-context.js';

function caught(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createLoadBalancer', () => {
  it('builds every config name into a balancer of that name', () => {
    expect(LOAD_BALANCER_TYPES).toEqual([
      'round_robin',
      'random',
      'weight_random',
      'weight_round_robin',
      'least_request',
      'peak_ewma',
      'consistent_hash',
    ]);
    // consistent_hash needs to know where a call's key is: its options say.
    const options = { key: { header: 'x-user' } };
    for (const type of LOAD_BALANCER_TYPES) expect(createLoadBalancer(type, { options }).name).toBe(type);
  });

  it('passes a balancer its options, and refuses consistent_hash without a key', () => {
    const error = caught(() => createLoadBalancer('consistent_hash'));
    expect(error.message).toBe(
      "<consistentHash>: key: expected { header: 'name' }, { query: 'name' } or a function (context) => key, found undefined",
    );
    expect(createLoadBalancer('random', { options: { seed: 3 } }).name).toBe('random');
  });

  it('returns a fresh balancer with its own state on every call', () => {
    const instances: ServiceInstance[] = ['a', 'b'].map((id) => ({
      id,
      serviceName: 's',
      host: id,
      port: 80,
      weight: 1,
      healthy: true,
      metadata: {},
    }));
    const first = createLoadBalancer('round_robin');
    expect(first.pick(instances, pickContext('s')).instance.id).toBe('a');
    expect(createLoadBalancer('round_robin').pick(instances, pickContext('s')).instance.id).toBe('a');
    expect(first.pick(instances, pickContext('s')).instance.id).toBe('b');
  });

  it('tells names it accepts apart from others', () => {
    expect(isLoadBalancerType('weight_random')).toBe(true);
    expect(isLoadBalancerType('toString')).toBe(false);
    expect(isLoadBalancerType(1)).toBe(false);
  });

  it('refuses an unknown name with a ConfigError that lists the valid ones and suggests the closest', () => {
    const error = caught(() => createLoadBalancer('round-robin'));
    expect(isConfigError(error)).toBe(true);
    expect(error.keyPath).toBe('service-caller.lb-type');
    expect(error.found).toBe("'round-robin'");
    expect(error.message).toBe(
      "<config object>: service-caller.lb-type: expected one of round_robin, random, weight_random, weight_round_robin, least_request, peak_ewma, consistent_hash, found 'round-robin' (did you mean 'round_robin'?)",
    );
  });

  it.each([
    ['ROUND_ROBIN', 'round_robin'],
    ['Round Robin', 'round_robin'],
    ['roundrobin', 'round_robin'],
    ['randon', 'random'],
    ['weighted_random', 'weight_random'],
    ['weighted-round-robin', 'weight_round_robin'],
    ['weight_roundrobin', 'weight_round_robin'],
  ])('suggests %s -> %s', (value, suggestion) => {
    expect(caught(() => createLoadBalancer(value)).message).toContain(`(did you mean '${suggestion}'?)`);
  });

  it.each(['fastest_first', 'p2c', '', 'toString'])('makes no suggestion for the unrelated %j', (value) => {
    const error = caught(() => createLoadBalancer(value));
    expect(error.found).toBe(`'${value}'`);
    expect(error.message).not.toContain('did you mean');
  });

  it('describes values that are not strings, and shortens long ones', () => {
    expect(caught(() => createLoadBalancer(42 as unknown as string)).found).toBe('42');
    expect(caught(() => createLoadBalancer(undefined as unknown as string)).found).toBe('undefined');
    expect(caught(() => createLoadBalancer(null as unknown as string)).found).toBe('null');
    expect(caught(() => createLoadBalancer('x'.repeat(500))).found).toBe(`'${'x'.repeat(80)}...'`);
  });
});

describe('registerLoadBalancer', () => {
  const firstHealthy: LoadBalancerFactory = () => ({
    name: 'first_healthy',
    pick: (instances) => ({ instance: instances.find((i) => i.healthy)! }),
  });

  afterEach(() => {
    unregisterLoadBalancer('first_healthy');
    unregisterLoadBalancer('broken');
  });

  it('makes a registered name known to createLoadBalancer, isLoadBalancerName and loadBalancerNames', () => {
    expect(isLoadBalancerName('first_healthy')).toBe(false);
    registerLoadBalancer('first_healthy', firstHealthy);
    // The same factory again (a module evaluated twice by a test runner) changes nothing.
    registerLoadBalancer('first_healthy', firstHealthy);
    expect(createLoadBalancer('first_healthy').name).toBe('first_healthy');
    expect(isLoadBalancerName('first_healthy')).toBe(true);
    expect(isLoadBalancerType('first_healthy')).toBe(false);
    expect(loadBalancerNames()).toEqual([...LOAD_BALANCER_TYPES, 'first_healthy']);
    expect(unregisterLoadBalancer('first_healthy')).toBe(true);
    expect(isLoadBalancerName('first_healthy')).toBe(false);
  });

  it('suggests a registered name for a near miss and lists it among the valid ones', () => {
    registerLoadBalancer('first_healthy', firstHealthy);
    const error = caught(() =>
      createLoadBalancer('first-healthy', { file: 'application.yaml', keyPath: 'service-caller.lb-type' }),
    );
    expect(error.message).toBe(
      "application.yaml: service-caller.lb-type: expected one of round_robin, random, weight_random, weight_round_robin, least_request, peak_ewma, consistent_hash, first_healthy, found 'first-healthy' (did you mean 'first_healthy'?)",
    );
  });

  it.each([
    ['Least-Request', 'name', 'lower-case words joined by underscores'],
    ['', 'name', 'lower-case words joined by underscores'],
    ['round_robin', 'name', 'a name other than the built-in ones'],
  ])('refuses the name %j', (name, keyPath, expected) => {
    const error = caught(() => registerLoadBalancer(name, firstHealthy));
    expect([error.file, error.keyPath]).toEqual(['<registerLoadBalancer>', keyPath]);
    expect(error.expected).toContain(expected);
  });

  it('refuses a factory that is no function, and a name another factory holds', () => {
    expect(caught(() => registerLoadBalancer('broken', {} as LoadBalancerFactory)).keyPath).toBe(
      "'broken'.factory",
    );
    registerLoadBalancer('first_healthy', firstHealthy);
    const error = caught(() => registerLoadBalancer('first_healthy', () => firstHealthy()));
    expect(error.message).toContain("'first_healthy', registered by another factory");
    expect(createLoadBalancer('first_healthy').name).toBe('first_healthy');
  });

  it('refuses, when the balancer is made, a factory that returns no balancer', () => {
    registerLoadBalancer('broken', () => ({ name: 'broken' }) as unknown as LoadBalancer);
    const error = caught(() => createLoadBalancer('broken'));
    expect(error.expected).toBe(
      "the factory registered as 'broken' to return a LoadBalancer (an object with pick)",
    );
  });
});
