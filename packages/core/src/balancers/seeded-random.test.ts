import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.js';
import { seededRandom } from './seeded-random.js';

function draw(next: () => number, count: number): number[] {
  return Array.from({ length: count }, () => next());
}

describe('seededRandom', () => {
  it('repeats for the same seed and differs for another', () => {
    expect(draw(seededRandom(1), 20)).toEqual(draw(seededRandom(1), 20));
    expect(draw(seededRandom(1), 20)).not.toEqual(draw(seededRandom(2), 20));
  });

  it('takes the seed modulo 2^32, negative seeds included', () => {
    expect(draw(seededRandom(2 ** 32 + 5), 5)).toEqual(draw(seededRandom(5), 5));
    expect(draw(seededRandom(-1), 5)).toEqual(draw(seededRandom(2 ** 32 - 1), 5));
  });

  it('stays in [0, 1) and fills 100 buckets evenly', () => {
    const next = seededRandom(2024);
    const buckets = new Array<number>(100).fill(0);
    let outside = 0;
    for (let k = 0; k < 200_000; k++) {
      const value = next();
      if (!(value >= 0 && value < 1)) outside++;
      else buckets[Math.floor(value * 100)]!++;
    }
    expect(outside).toBe(0);
    // 2,000 expected per bucket, standard deviation about 44.
    for (const count of buckets) expect(Math.abs(count - 2_000)).toBeLessThan(250);
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => seededRandom(0.5)).toThrow(ConfigError);
    expect(() => seededRandom(Number.NaN)).toThrow('seed: expected an integer, found NaN');
  });
});
