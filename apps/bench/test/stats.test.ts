import { describe, expect, it } from 'vitest';
import { percentilesInPlace, spread } from '../src/stats.js';

describe('spread', () => {
  it('takes the middle value of an odd count, with min and max', () => {
    expect(spread([5, 1, 9, 3, 7])).toEqual({ median: 5, min: 1, max: 9 });
  });
  it('averages the two middle values of an even count', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    spread(values);
    expect(values).toEqual([3, 1, 2]);
  });
  it('refuses an empty list', () => {
    expect(() => spread([])).toThrow(RangeError);
  });
});

describe('percentilesInPlace', () => {
  it('uses the nearest rank', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1
    expect(percentilesInPlace(values, [50, 99, 100, 0])).toEqual([50, 99, 100, 1]);
  });
  it('sorts numerically, not as strings', () => {
    expect(percentilesInPlace(Float64Array.from([10, 9, 100]), [50])).toEqual([10]);
  });
  it('answers NaN for no values', () => {
    expect(percentilesInPlace(new Float64Array(0), [50])).toEqual([Number.NaN]);
  });
});
