import { describe, expect, it } from 'vitest';
import type { Pick } from '../contracts/balancer.js';
import type { ServiceInstance } from '../contracts/instance.js';
import { leastRequest } from './least-request.js';
import { pickContext } from './pick-context.js';

function instance(id: string, weight = 1): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy: true, metadata: {} };
}

const ctx = pickContext('orders');

describe('leastRequest', () => {
  it('sends the attempt to the instance with fewer attempts in flight, learning from done()', () => {
    const balancer = leastRequest({ seed: 5 });
    const instances = [instance('a'), instance('b')];
    // Two instances: both are drawn every time, so the less loaded always wins.
    const held: Pick[] = [];
    for (let k = 0; k < 10; k++) held.push(balancer.pick(instances, ctx));
    const count = (id: string) => held.filter((p) => p.instance.id === id).length;
    expect([count('a'), count('b')]).toEqual([5, 5]);
    // b's attempts end; a's stay out: the next ones go to b until they are level again.
    for (const pick of held.filter((p) => p.instance.id === 'b')) pick.done!({ latencyMs: 1 });
    const next = Array.from({ length: 5 }, () => balancer.pick(instances, ctx).instance.id);
    expect(next).toEqual(['b', 'b', 'b', 'b', 'b']);
  });

  it('weighs in-flight attempts by weight: an instance of weight 3 carries three times the load', () => {
    const balancer = leastRequest({ seed: 9 });
    const instances = [instance('heavy', 3), instance('light', 1)];
    const ids = Array.from({ length: 400 }, () => balancer.pick(instances, ctx).instance.id);
    const heavy = ids.filter((id) => id === 'heavy').length;
    expect(heavy).toBeGreaterThanOrEqual(297);
    expect(heavy).toBeLessThanOrEqual(303);
  });

  it('keeps the in-flight counts of instances across list changes (by id)', () => {
    const balancer = leastRequest({ seed: 1 });
    const first = [instance('a'), instance('b')];
    for (let k = 0; k < 6; k++) balancer.pick(first, ctx);
    // A new array with a new instance: a and b have 3 in flight each, c none.
    const second = [instance('a'), instance('b'), instance('c')];
    const ids = Array.from({ length: 3 }, () => balancer.pick(second, ctx).instance.id);
    expect(ids.filter((id) => id === 'c').length).toBeGreaterThanOrEqual(2);
  });

  it('sends a retry to an instance the call has not tried, even if it is busier', () => {
    const balancer = leastRequest({ seed: 3 });
    const instances = [instance('a'), instance('b'), instance('c')];
    // a is idle, b and c are loaded.
    for (let k = 0; k < 10; k++) {
      const pick = balancer.pick(instances, ctx);
      if (pick.instance.id === 'a') pick.done!({ latencyMs: 1 });
    }
    const retry = pickContext('orders', 2, [instances[0]!]);
    for (let k = 0; k < 20; k++) expect(balancer.pick(instances, retry).instance.id).not.toBe('a');
  });

  it('never picks a drained instance (weight 0)', () => {
    const balancer = leastRequest();
    const instances = [instance('a'), instance('drained', 0)];
    for (let k = 0; k < 50; k++) expect(balancer.pick(instances, ctx).instance.id).toBe('a');
  });
});
