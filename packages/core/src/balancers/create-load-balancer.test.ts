import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError, isConfigError } from '../errors/index.js';
import { createLoadBalancer, isLoadBalancerType, LOAD_BALANCER_TYPES } from './create-load-balancer.js';

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
    expect(LOAD_BALANCER_TYPES).toEqual(['round_robin', 'random', 'weight_random', 'weight_round_robin']);
    for (const type of LOAD_BALANCER_TYPES) expect(createLoadBalancer(type).name).toBe(type);
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
    expect(first.pick(instances, { serviceName: 's' }).instance.id).toBe('a');
    expect(createLoadBalancer('round_robin').pick(instances, { serviceName: 's' }).instance.id).toBe('a');
    expect(first.pick(instances, { serviceName: 's' }).instance.id).toBe('b');
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
      "<config object>: service-caller.lb-type: expected one of round_robin, random, weight_random, weight_round_robin, found 'round-robin' (did you mean 'round_robin'?)",
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

  it.each(['least_request', 'p2c', '', 'toString'])('makes no suggestion for the unrelated %j', (value) => {
    const error = caught(() => createLoadBalancer(value));
    expect(error.found).toBe(`'${value}'`);
    expect(error.message).not.toContain('did you mean');
  });

  it('describes values that are not strings, and shortens long ones', () => {
    expect(caught(() => createLoadBalancer(42 as unknown as string)).found).toBe('number');
    expect(caught(() => createLoadBalancer(undefined as unknown as string)).found).toBe('undefined');
    expect(caught(() => createLoadBalancer(null as unknown as string)).found).toBe('null');
    expect(caught(() => createLoadBalancer('x'.repeat(500))).found).toBe(`'${'x'.repeat(60)}...'`);
  });
});
