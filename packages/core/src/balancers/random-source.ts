import { ConfigError } from '../errors/index.js';
import { seededRandom } from './seeded-random.js';

/** Where the randomised balancers get their numbers from. */
export interface RandomOptions {
  /**
   * Seed for the built-in generator (`seededRandom`), for reproducible sequences in tests and
   * benchmarks. Any integer. Cannot be combined with `random`.
   * @default none: `Math.random` is used
   */
  seed?: number;
  /**
   * Your own source of numbers in `[0, 1)`, called once per pick. Cannot be combined with `seed`.
   * A value outside `[0, 1)` makes that pick throw a `ConfigError`.
   * @default `Math.random`
   */
  random?: () => number;
}

/** Resolves `RandomOptions` to one generator; `strategy` names the balancer in errors. */
export function randomSource(options: RandomOptions | undefined, strategy: string): () => number {
  const seed = options?.seed;
  const random = options?.random;
  if (seed !== undefined && random !== undefined) {
    throw new ConfigError({
      file: '<config object>',
      keyPath: strategy,
      expected: 'either `seed` or `random`',
      found: 'both',
    });
  }
  if (random !== undefined) {
    if (typeof random !== 'function') {
      throw new ConfigError({
        file: '<config object>',
        keyPath: `${strategy}.random`,
        expected: 'a function returning numbers in [0, 1)',
        found: typeof random,
      });
    }
    return random;
  }
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) {
      throw new ConfigError({
        file: '<config object>',
        keyPath: `${strategy}.seed`,
        expected: 'an integer',
        found: typeof seed === 'number' ? String(seed) : typeof seed,
      });
    }
    return seededRandom(seed);
  }
  return Math.random;
}

/** The error for a `random` option that returned something outside `[0, 1)`. */
export function badRandomValue(strategy: string, value: number): ConfigError {
  return new ConfigError({
    file: '<config object>',
    keyPath: `${strategy}.random`,
    expected: 'a function returning numbers in [0, 1)',
    found: `a function that returned ${String(value)}`,
  });
}
