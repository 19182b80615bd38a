import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../contracts/instance.js';
import { pickContext } from './pick-context.js';
import { roundRobin } from './round-robin.js';

const ctx = pickContext('orders');

function instance(id: string, weight = 1, healthy = true): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy, metadata: {} };
}

function ids(...names: string[]): ServiceInstance[] {
  return names.map((name) => instance(name));
}

function picks(
  balancer: ReturnType<typeof roundRobin>,
  instances: readonly ServiceInstance[],
  count: number,
) {
  return Array.from({ length: count }, () => balancer.pick(instances, ctx).instance.id).join(' ');
}

describe('roundRobin', () => {
  it('visits the instances in list order, then starts over', () => {
    expect(picks(roundRobin(), ids('a', 'b', 'c'), 7)).toBe('a b c a b c a');
  });

  it('spreads 60,000 picks evenly and ignores weights (weight 0 included)', () => {
    const instances = [instance('a', 1), instance('b', 2), instance('c', 0)];
    const balancer = roundRobin();
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let k = 0; k < 60_000; k++) counts[balancer.pick(instances, ctx).instance.id]!++;
    for (const id of ['a', 'b', 'c']) expect(Math.abs(counts[id]! - 20_000)).toBeLessThanOrEqual(400);
  });

  it('skips unhealthy instances without changing the order of the rest', () => {
    const instances = [instance('a'), instance('b', 1, false), instance('c'), instance('d')];
    expect(picks(roundRobin(), instances, 6)).toBe('a c d a c d');
  });

  it('keeps a separate position per service', () => {
    const balancer = roundRobin();
    const orders = ids('a', 'b', 'c');
    const users = ids('x', 'y', 'z');
    const sequence = [
      balancer.pick(orders, pickContext('orders')).instance.id,
      balancer.pick(users, pickContext('users')).instance.id,
      balancer.pick(orders, pickContext('orders')).instance.id,
      balancer.pick(orders, pickContext('orders')).instance.id,
      balancer.pick(users, pickContext('users')).instance.id,
    ];
    expect(sequence).toEqual(['a', 'x', 'b', 'c', 'y']);
  });

  it('continues where it was when the same contents arrive in a new array', () => {
    const balancer = roundRobin();
    const first = ids('a', 'b', 'c');
    expect(picks(balancer, first, 2)).toBe('a b');
    expect(picks(balancer, [...first], 4)).toBe('c a b c');
  });

  it('continues without skipping when the list grows', () => {
    const balancer = roundRobin();
    const first = ids('a', 'b', 'c');
    expect(picks(balancer, first, 2)).toBe('a b');
    expect(picks(balancer, [...first, instance('d')], 5)).toBe('c d a b c');
  });

  it('wraps its position when the list shrinks below it', () => {
    const balancer = roundRobin();
    expect(picks(balancer, ids('a', 'b', 'c', 'd'), 3)).toBe('a b c');
    expect(picks(balancer, ids('a', 'b'), 3)).toBe('b a b');
  });

  it('visits every instance of a replaced list once per round', () => {
    const balancer = roundRobin();
    picks(balancer, ids('a', 'b', 'c', 'd', 'e'), 4);
    const replaced = ids('v', 'w', 'x');
    for (let round = 0; round < 3; round++) {
      expect(picks(balancer, replaced, 3).split(' ').sort()).toEqual(['v', 'w', 'x']);
    }
  });

  it('visits each of 10,000 instances exactly once per round', () => {
    const instances = Array.from({ length: 10_000 }, (_, i) => instance(`i${i}`));
    const balancer = roundRobin();
    for (let k = 0; k < 20_000; k++) {
      expect(balancer.pick(instances, ctx).instance).toBe(instances[k % 10_000]);
    }
  });
});
