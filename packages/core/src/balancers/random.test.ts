import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../contracts/instance.js';
import { ConfigError } from '../errors/index.js';
import { pickContext } from './pick-context.js';
import { random } from './random.js';

const ctx = pickContext('orders');

function instance(id: string, weight = 1): ServiceInstance {
  return { id, serviceName: 'orders', host: id, port: 80, weight, healthy: true, metadata: {} };
}

const abc = [instance('a', 1), instance('b', 2), instance('c', 0)];

function sequence(balancer: ReturnType<typeof random>, count: number): string {
  return Array.from({ length: count }, () => balancer.pick(abc, ctx).instance.id).join('');
}

describe('random', () => {
  it('spreads 60,000 seeded picks evenly within 2% and ignores weights (weight 0 included)', () => {
    const balancer = random({ seed: 12345 });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let k = 0; k < 60_000; k++) counts[balancer.pick(abc, ctx).instance.id]!++;
    for (const id of ['a', 'b', 'c']) expect(Math.abs(counts[id]! - 20_000)).toBeLessThanOrEqual(400);
  });

  it('repeats its sequence for the same seed and not for another', () => {
    const first = sequence(random({ seed: 99 }), 40);
    expect(sequence(random({ seed: 99 }), 40)).toBe(first);
    expect(sequence(random({ seed: 100 }), 40)).not.toBe(first);
  });

  it('uses a given random source, from 0 up to just below 1', () => {
    expect(random({ random: () => 0 }).pick(abc, ctx).instance.id).toBe('a');
    expect(random({ random: () => 0.5 }).pick(abc, ctx).instance.id).toBe('b');
    expect(random({ random: () => 1 - 2 ** -53 }).pick(abc, ctx).instance.id).toBe('c');
  });

  it('works unseeded (Math.random)', () => {
    const balancer = random();
    for (let k = 0; k < 100; k++) expect(abc).toContain(balancer.pick(abc, ctx).instance);
  });

  it('throws ConfigError when the random source leaves [0, 1)', () => {
    for (const value of [1, -0.25, Number.NaN, 7]) {
      const balancer = random({ random: () => value });
      expect(() => balancer.pick(abc, ctx)).toThrow(ConfigError);
      expect(() => balancer.pick(abc, ctx)).toThrow(`a function that returned ${value}`);
    }
  });

  it('refuses malformed options with ConfigError', () => {
    expect(() => random({ seed: 1, random: Math.random })).toThrow(ConfigError);
    expect(() => random({ seed: 1.5 })).toThrow('random.seed: expected an integer, found 1.5');
    expect(() => random({ seed: '7' as unknown as number })).toThrow(
      'random.seed: expected an integer, found string',
    );
    expect(() => random({ random: 3 as unknown as () => number })).toThrow(
      'random.random: expected a function returning numbers in [0, 1), found number',
    );
  });
});
