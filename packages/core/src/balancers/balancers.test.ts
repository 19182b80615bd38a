import { describe, expect, it } from 'vitest';
import type { LoadBalancer } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { isServiceUnavailableError, ServiceUnavailableError } from '../errors/index.js';
import { consistentHash } from './consistent-hash.js';
import * as exported from './index.js';
import { leastRequest } from './least-request.js';
import { peakEwma } from './peak-ewma.js';
import { pickContext } from './pick-context.js';
import { random } from './random.js';
import { roundRobin } from './round-robin.js';
import { weightedRandom } from './weighted-random.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

// What every built-in balancer promises, whatever its strategy.

function instance(id: string, weight = 1, healthy = true): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy, metadata: {} };
}

function range(prefix: string, count: number, weight = 1): ServiceInstance[] {
  return Array.from({ length: count }, (_, i) => instance(`${prefix}${i}`, weight));
}

const strategies: Array<[string, () => LoadBalancer]> = [
  ['round_robin', () => roundRobin()],
  ['random', () => random({ seed: 1 })],
  ['weight_random', () => weightedRandom({ seed: 1 })],
  ['weight_round_robin', () => weightedRoundRobin()],
  ['least_request', () => leastRequest({ seed: 1 })],
  ['peak_ewma', () => peakEwma({ seed: 1 })],
  // Without a key in the call, consistent hashing spreads calls at random.
  ['consistent_hash', () => consistentHash({ key: { header: 'x-user' }, seed: 1 })],
];

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('balancers/index', () => {
  it('exports the factories, createLoadBalancer, the registry, pickContext and seededRandom', () => {
    expect(Object.keys(exported).sort()).toEqual([
      'LOAD_BALANCER_TYPES',
      'consistentHash',
      'createLoadBalancer',
      'isLoadBalancerName',
      'isLoadBalancerType',
      'leastRequest',
      'loadBalancerNames',
      'peakEwma',
      'pickContext',
      'random',
      'registerLoadBalancer',
      'roundRobin',
      'seededRandom',
      'unregisterLoadBalancer',
      'weightedRandom',
      'weightedRoundRobin',
    ]);
  });
});

describe.each(strategies)('%s', (name, create) => {
  const ctx = pickContext('orders');

  it('reports its config name', () => {
    expect(create().name).toBe(name);
  });

  it('throws ServiceUnavailableError naming the service for an empty list', () => {
    const error = caught(() => create().pick([], ctx));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(isServiceUnavailableError(error)).toBe(true);
    expect((error as ServiceUnavailableError).serviceName).toBe('orders');
    expect((error as Error).message).toBe("service 'orders' is unavailable: no instances");
  });

  it('throws ServiceUnavailableError when every instance is unhealthy, on every call', () => {
    const balancer = create();
    const instances = [instance('a', 1, false), instance('b', 1, false)];
    for (let k = 0; k < 3; k++) {
      const error = caught(() => balancer.pick(instances, ctx)) as ServiceUnavailableError;
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.serviceName).toBe('orders');
      expect(error.message).toContain('2 instances, all unhealthy');
    }
  });

  it('recovers once an instance is healthy again', () => {
    const balancer = create();
    expect(() => balancer.pick([instance('a', 1, false)], ctx)).toThrow(ServiceUnavailableError);
    expect(balancer.pick([instance('a', 1, true)], ctx).instance.id).toBe('a');
  });

  it('never picks an unhealthy instance', () => {
    const balancer = create();
    const instances = [instance('a'), instance('b', 1, false), instance('c'), instance('d', 1, false)];
    const seen = new Set<string>();
    for (let k = 0; k < 400; k++) seen.add(balancer.pick(instances, ctx).instance.id);
    expect(seen).toEqual(new Set(['a', 'c']));
  });

  it('hands out one frozen Pick per instance, reused across picks', () => {
    const balancer = create();
    const instances = range('i', 3);
    const byId = new Map<string, object>();
    for (let k = 0; k < 60; k++) {
      const pick = balancer.pick(instances, ctx);
      expect(Object.isFrozen(pick)).toBe(true);
      expect(instances).toContain(pick.instance);
      const first = byId.get(pick.instance.id) ?? pick;
      byId.set(pick.instance.id, first);
      expect(pick).toBe(first);
    }
  });

  it('keeps services apart', () => {
    const balancer = create();
    const orders = range('o', 3);
    const users = range('u', 2);
    for (let k = 0; k < 300; k++) {
      expect(balancer.pick(orders, pickContext('orders')).instance.id).toMatch(/^o/);
      expect(balancer.pick(users, pickContext('users')).instance.id).toMatch(/^u/);
    }
  });

  it('follows list changes: grow, shrink, replace, same contents in a new array', () => {
    const balancer = create();
    const base = range('i', 4);
    const lists = [base, [...base, ...range('n', 3)], base.slice(0, 2), range('r', 5), [...range('r', 5)]];
    for (const instances of lists) {
      const ids = new Set(instances.map((i) => i.id));
      const counts = new Map<string, number>();
      const rounds = 600 * instances.length;
      for (let k = 0; k < rounds; k++) {
        // Each attempt ends before the next (as the engine reports it): load-aware balancers
        // then see no load, only the list.
        const pick = balancer.pick(instances, ctx);
        pick.done?.({ latencyMs: 1 });
        const id = pick.instance.id;
        expect(ids.has(id)).toBe(true);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      // Equal weights: every instance of the current list gets its even share (within 10% here;
      // the exact distribution checks live in each strategy's own tests).
      for (const id of ids) expect(Math.abs((counts.get(id) ?? 0) - 600)).toBeLessThan(60);
    }
  });

  it('picks among 10,000 instances', () => {
    const balancer = create();
    const instances = range('i', 10_000);
    const seen = new Set<string>();
    for (let k = 0; k < 10_000; k++) {
      const pick = balancer.pick(instances, ctx);
      expect(pick.instance.id.startsWith('i')).toBe(true);
      seen.add(pick.instance.id);
    }
    // Round robins visit each once; the random ones cover about 1 - 1/e = 63% of them.
    expect(seen.size).toBeGreaterThan(6_000);
  });
});
