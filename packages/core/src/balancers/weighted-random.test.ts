import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError, ServiceUnavailableError } from '../errors/index.js';
import { AliasTable } from './alias-table.js';
import { pickContext } from './pick-context.js';
import { seededRandom } from './seeded-random.js';
import { weightedRandom } from './weighted-random.js';

const ctx = pickContext('orders');

function instance(id: string, weight: number, healthy = true): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy, metadata: {} };
}

function shares(balancer: ReturnType<typeof weightedRandom>, instances: ServiceInstance[], count: number) {
  const counts = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    const id = balancer.pick(instances, ctx).instance.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function expectWithin2Percent(counts: Map<string, number>, instances: ServiceInstance[], count: number) {
  const total = instances.reduce((sum, i) => sum + i.weight, 0);
  for (const i of instances) {
    const ideal = (count * i.weight) / total;
    expect(Math.abs((counts.get(i.id) ?? 0) - ideal), i.id).toBeLessThanOrEqual(0.02 * ideal);
  }
}

describe('weightedRandom', () => {
  it('is named as the config spells it', () => {
    expect(weightedRandom().name).toBe('weight_random');
  });

  it('follows weights 1/2/3 within 2% over 60,000 seeded picks', () => {
    const instances = [instance('a', 1), instance('b', 2), instance('c', 3)];
    expectWithin2Percent(shares(weightedRandom({ seed: 42 }), instances, 60_000), instances, 60_000);
  });

  it('follows fractional weights (Nacos style)', () => {
    const instances = [instance('a', 0.25), instance('b', 0.5), instance('c', 1.25)];
    expectWithin2Percent(shares(weightedRandom({ seed: 7 }), instances, 80_000), instances, 80_000);
  });

  it('rebuilds for a new list and follows the new weights', () => {
    const balancer = weightedRandom({ seed: 3 });
    shares(balancer, [instance('a', 1), instance('b', 1)], 1_000);
    const changed = [instance('a', 1), instance('b', 3), instance('c', 4)];
    expectWithin2Percent(shares(balancer, changed, 80_000), changed, 80_000);
  });

  it('never picks weight 0 instances', () => {
    const instances = [instance('a', 0), instance('b', 1), instance('c', 0), instance('d', 1)];
    const counts = shares(weightedRandom({ seed: 5 }), instances, 5_000);
    expect([...counts.keys()].sort()).toEqual(['b', 'd']);
  });

  it('throws ServiceUnavailableError when every healthy instance weighs 0', () => {
    const balancer = weightedRandom();
    const attempt = () => balancer.pick([instance('a', 0), instance('b', 2, false)], ctx);
    expect(attempt).toThrow(ServiceUnavailableError);
    expect(attempt).toThrow('no healthy instance with weight > 0 (1 healthy, all weight 0)');
  });

  it('names the instance with a weight that breaks the contract, and re-checks on the next call', () => {
    const balancer = weightedRandom({ seed: 1 });
    for (const weight of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      const instances = [instance('ok', 1), instance('bad', weight)];
      expect(() => balancer.pick(instances, ctx)).toThrow(ServiceUnavailableError);
      expect(() => balancer.pick(instances, ctx)).toThrow(`instance 'bad' has weight ${weight}`);
    }
    // An unhealthy instance's weight does not matter.
    const fine = [instance('ok', 1), instance('bad', Number.NaN, false)];
    expect(balancer.pick(fine, ctx).instance.id).toBe('ok');
  });

  it('uses a given random source, including values just below 1', () => {
    const instances = [instance('a', 1), instance('b', 1)];
    expect(weightedRandom({ random: () => 0 }).pick(instances, ctx).instance.id).toBe('a');
    expect(weightedRandom({ random: () => 1 - 2 ** -53 }).pick(instances, ctx).instance.id).toBe('b');
    expect(() => weightedRandom({ random: () => 1 }).pick(instances, ctx)).toThrow(ConfigError);
  });

  it('follows the weights among 10,000 instances', () => {
    const instances = Array.from({ length: 10_000 }, (_, i) => instance(`i${i}`, 1 + (i % 4)));
    const balancer = weightedRandom({ seed: 11 });
    const byWeight = [0, 0, 0, 0, 0];
    for (let k = 0; k < 100_000; k++) byWeight[balancer.pick(instances, ctx).instance.weight]!++;
    // 2,500 instances per weight 1..4, total weight 25,000: weight w's class gets w/10 of the picks.
    for (let w = 1; w <= 4; w++)
      expect(Math.abs(byWeight[w]! - w * 10_000)).toBeLessThanOrEqual(0.02 * w * 10_000);
  });
});

describe('AliasTable', () => {
  // A sweep of evenly spaced inputs removes the sampling noise: each index then receives its
  // exact share up to the table's column boundaries.
  function sweep(weights: number[], points: number): number[] {
    const table = new AliasTable(weights);
    const counts = weights.map(() => 0);
    for (let k = 0; k < points; k++) counts[table.indexFor((k + 0.5) / points)]!++;
    return counts;
  }

  it('gives weights 1/2/3 their exact shares', () => {
    expect(sweep([1, 2, 3], 60_000)).toEqual([10_000, 20_000, 30_000]);
  });

  it('gives random weight sets their shares to within one point per column', () => {
    const next = seededRandom(77);
    for (let round = 0; round < 30; round++) {
      const weights = Array.from({ length: 1 + Math.floor(next() * 60) }, () => 0.01 + next() * 100);
      const total = weights.reduce((a, b) => a + b, 0);
      const points = 100_000;
      const counts = sweep(weights, points);
      for (let i = 0; i < weights.length; i++) {
        expect(Math.abs(counts[i]! - (points * weights[i]!) / total)).toBeLessThanOrEqual(weights.length + 1);
      }
    }
  });
});
