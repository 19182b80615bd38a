import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../contracts/instance.js';
import { ServiceUnavailableError } from '../errors/index.js';
import { pickContext } from './pick-context.js';
import { seededRandom } from './seeded-random.js';
import { weightedRoundRobin } from './weighted-round-robin.js';

const ctx = pickContext('orders');

function instance(id: string, weight: number, healthy = true): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy, metadata: {} };
}

function list(weights: Record<string, number>): ServiceInstance[] {
  return Object.entries(weights).map(([id, weight]) => instance(id, weight));
}

/**
 * nginx's smooth weighted round robin written the obvious O(n) way, as the oracle: add every weight
 * to `current`, take the first largest, subtract the total. `current` is carried by id across lists.
 */
class ReferenceSmooth {
  readonly current = new Map<string, number>();
  next(instances: readonly ServiceInstance[]): string {
    const eligible = instances.filter((i) => i.healthy && i.weight > 0);
    const carried = new Map(this.current);
    this.current.clear();
    for (const i of eligible) this.current.set(i.id, carried.get(i.id) ?? 0);
    let total = 0;
    let best: ServiceInstance | undefined;
    for (const i of eligible) {
      const value = this.current.get(i.id)! + i.weight;
      this.current.set(i.id, value);
      total += i.weight;
      if (best === undefined || value > this.current.get(best.id)!) best = i;
    }
    this.current.set(best!.id, this.current.get(best!.id)! - total);
    return best!.id;
  }
}

function picks(balancer: ReturnType<typeof weightedRoundRobin>, instances: ServiceInstance[], count: number) {
  return Array.from({ length: count }, () => balancer.pick(instances, ctx).instance.id);
}

describe('weightedRoundRobin', () => {
  it('is named as the config spells it', () => {
    expect(weightedRoundRobin().name).toBe('weight_round_robin');
  });

  it('produces the nginx sequence for {a:5, b:1, c:1}', () => {
    const instances = list({ a: 5, b: 1, c: 1 });
    expect(picks(weightedRoundRobin(), instances, 14).join(' ')).toBe('a a b a c a a a a b a c a a');
  });

  it('keeps a separate schedule per service', () => {
    const balancer = weightedRoundRobin();
    const orders = list({ a: 5, b: 1, c: 1 });
    const users = list({ a: 5, b: 1, c: 1 });
    const seen: Record<string, string[]> = { orders: [], users: [] };
    for (let k = 0; k < 7; k++) {
      for (const [serviceName, instances] of [
        ['orders', orders],
        ['users', users],
      ] as const) {
        seen[serviceName]!.push(balancer.pick(instances, pickContext(serviceName)).instance.id);
      }
    }
    expect(seen.orders!.join(' ')).toBe('a a b a c a a');
    expect(seen.users!.join(' ')).toBe('a a b a c a a');
  });

  it('matches the nginx algorithm pick for pick on random weight sets', () => {
    const next = seededRandom(2024);
    for (let round = 0; round < 150; round++) {
      const size = 1 + Math.floor(next() * 12);
      const heavy = next() < 0.3;
      const instances = Array.from({ length: size }, (_, i) =>
        instance(`i${i}`, next() < 0.1 ? 0 : 1 + Math.floor(next() * (heavy ? 200 : 6))),
      );
      if (instances.every((i) => i.weight === 0)) instances.push(instance('last', 3));
      const total = instances.reduce((sum, i) => sum + i.weight, 0);
      const balancer = weightedRoundRobin();
      const reference = new ReferenceSmooth();
      const expected = Array.from({ length: 2 * total + 5 }, () => reference.next(instances));
      expect(
        picks(balancer, instances, expected.length),
        `weights ${instances.map((i) => i.weight)}`,
      ).toEqual(expected);
    }
  });

  it('matches nginx for 1,000 instances of mixed weights', () => {
    const instances = Array.from({ length: 1000 }, (_, i) => instance(`i${i}`, 1 + (i % 7) * (i % 3)));
    const reference = new ReferenceSmooth();
    const expected = Array.from({ length: 2500 }, () => reference.next(instances));
    expect(picks(weightedRoundRobin(), instances, expected.length)).toEqual(expected);
  });

  it('never gets ahead of an instance share by a whole pick (the smoothness guarantee)', () => {
    // From a fresh start, after k picks instance i has at most ceil(k * w_i / W) picks. A bursty
    // weighted round robin (a a a a a b c) breaks this at k = 4 for weights 5/1/1.
    const withinShare = (sequence: string[], weights: Record<string, number>) => {
      const total = Object.values(weights).reduce((a, b) => a + b, 0);
      const counts = new Map<string, number>();
      return sequence.every((id, k) => {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        return Object.entries(weights).every(
          ([name, weight]) => (counts.get(name) ?? 0) <= Math.ceil(((k + 1) * weight) / total),
        );
      });
    };
    expect(withinShare('a a a a a b c'.split(' '), { a: 5, b: 1, c: 1 })).toBe(false);
    const weightSets: Record<string, number>[] = [
      { a: 5, b: 1, c: 1 },
      { a: 1, b: 2, c: 3 },
      { a: 10, b: 1 },
      { a: 3, b: 3, c: 3, d: 1 },
      { a: 8, b: 1, c: 1 },
    ];
    for (const weights of weightSets) {
      const total = Object.values(weights).reduce((a, b) => a + b, 0);
      expect(withinShare(picks(weightedRoundRobin(), list(weights), 5 * total), weights)).toBe(true);
    }
  });

  function longestRuns(sequence: string[]): Map<string, number> {
    const longest = new Map<string, number>();
    let run = 0;
    for (let k = 0; k < sequence.length; k++) {
      run = k > 0 && sequence[k] === sequence[k - 1] ? run + 1 : 1;
      longest.set(sequence[k]!, Math.max(longest.get(sequence[k]!) ?? 0, run));
    }
    return longest;
  }

  it('never runs an instance of a pair longer than its share per pick of the other, plus one', () => {
    // With two instances, x never comes up more than ceil(w_x / w_y) + 1 times in a row (the +1
    // where two cycles meet). A bursty schedule runs w_x times. Checked for every pair up to 30.
    for (let x = 1; x <= 30; x++) {
      for (let y = 1; y <= 30; y++) {
        const runs = longestRuns(picks(weightedRoundRobin(), list({ x, y }), 3 * (x + y)));
        expect(runs.get('x'), `${x}/${y}`).toBeLessThanOrEqual(Math.ceil(x / y) + 1);
        expect(runs.get('y'), `${x}/${y}`).toBeLessThanOrEqual(Math.ceil(y / x) + 1);
      }
    }
  });

  it('runs a of 5/1/1 at most ceil(5 / 2) + 1 = 4 times in a row, b and c once', () => {
    // The same share-per-other-pick bound holds here (a a | a a where cycles meet), but it is not a
    // general nginx guarantee beyond two instances: 8/1/1 runs a 6 times at the seam, bound 5. The
    // general guarantee is the share bound tested above.
    const runs = longestRuns(picks(weightedRoundRobin(), list({ a: 5, b: 1, c: 1 }), 70));
    expect(runs.get('a')).toBeLessThanOrEqual(Math.ceil(5 / (1 + 1)) + 1);
    expect(runs.get('b')).toBe(1);
    expect(runs.get('c')).toBe(1);
  });

  it('keeps the ideal shares over 60,000 picks for weights 1/2/3 (within 2%)', () => {
    const instances = list({ a: 1, b: 2, c: 3 });
    const balancer = weightedRoundRobin();
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let k = 0; k < 60_000; k++) counts[balancer.pick(instances, ctx).instance.id]!++;
    for (const [id, share] of [
      ['a', 1 / 6],
      ['b', 2 / 6],
      ['c', 3 / 6],
    ] as const) {
      expect(Math.abs(counts[id]! - 60_000 * share)).toBeLessThanOrEqual(0.02 * 60_000 * share);
    }
  });

  it('stays exact with huge integer weights, across many internal rebases', () => {
    const instances = list({ a: 2 ** 34, b: 2 ** 34 + 12_345, c: 3 * 2 ** 33 + 7 });
    const reference = new ReferenceSmooth();
    const expected = Array.from({ length: 30_000 }, () => reference.next(instances));
    expect(picks(weightedRoundRobin(), instances, expected.length)).toEqual(expected);
  });

  it('scales absurd weights down together instead of losing precision', () => {
    const sequence = picks(weightedRoundRobin(), list({ a: 1e15, b: 3e15 }), 400);
    expect(sequence.filter((id) => id === 'a')).toHaveLength(100);
  });

  it('accepts fractional weights (Nacos style) and keeps their ratio', () => {
    const instances = list({ a: 0.5, b: 1.5 });
    const sequence = picks(weightedRoundRobin(), instances, 400);
    expect(sequence.filter((id) => id === 'a')).toHaveLength(100);
    expect(sequence.slice(0, 4)).toEqual(['b', 'a', 'b', 'b']);
  });

  it('carries current weights by id across list changes, like nginx', () => {
    const reference = new ReferenceSmooth();
    const balancer = weightedRoundRobin();
    const a = instance('a', 5);
    const b = instance('b', 1);
    const c = instance('c', 1);
    const d = instance('d', 3);
    const lists = [
      [a, b, c],
      [a, b, c, d], // grow
      [a, c, d], // shrink
      [d, c, a], // same instances, other order
      [instance('x', 2), instance('y', 4)], // replace all
      [a, b, c], // back
      [a, b, c], // same contents, new array
    ];
    for (const [step, instances] of lists.entries()) {
      const expected = Array.from({ length: 11 }, () => reference.next(instances));
      expect(picks(balancer, instances, 11), `list ${step}`).toEqual(expected);
    }
  });

  it('reaches the right shares again after the list changes', () => {
    const balancer = weightedRoundRobin();
    picks(balancer, list({ a: 5, b: 1, c: 1 }), 3);
    const after = list({ a: 1, b: 1, c: 2, d: 4 });
    const sequence = picks(balancer, after, 8_000);
    const counts = new Map<string, number>();
    for (const id of sequence) counts.set(id, (counts.get(id) ?? 0) + 1);
    // Carried values shift the phase, not the long-run shares: each is off by less than n picks.
    for (const i of after) expect(Math.abs(counts.get(i.id)! - i.weight * 1000)).toBeLessThan(after.length);
  });

  it('never picks weight 0 or unhealthy instances', () => {
    const instances = [instance('a', 0), instance('b', 2), instance('c', 5, false), instance('d', 1)];
    const sequence = picks(weightedRoundRobin(), instances, 300);
    expect(new Set(sequence)).toEqual(new Set(['b', 'd']));
    expect(sequence.filter((id) => id === 'b')).toHaveLength(200);
  });

  it('throws ServiceUnavailableError when every healthy instance weighs 0', () => {
    const balancer = weightedRoundRobin();
    const attempt = () => balancer.pick([instance('a', 0), instance('b', 0), instance('c', 4, false)], ctx);
    expect(attempt).toThrow(ServiceUnavailableError);
    expect(attempt).toThrow("service 'orders' is unavailable: no healthy instance with weight > 0");
  });

  it('picks correctly among 10,000 instances with mixed weights', () => {
    const instances = Array.from({ length: 10_000 }, (_, i) => instance(`i${i}`, 1 + (i % 4)));
    const total = instances.reduce((sum, i) => sum + i.weight, 0);
    const counts = new Map<string, number>();
    for (const id of picks(weightedRoundRobin(), instances, total)) counts.set(id, (counts.get(id) ?? 0) + 1);
    // One full cycle picks every instance exactly `weight` times.
    for (const i of instances) expect(counts.get(i.id)).toBe(i.weight);
  });
});
