import { ConfigError } from '../errors/index.js';

/**
 * A small, fast, seedable pseudo-random generator returning numbers in `[0, 1)`, like `Math.random`.
 *
 * It walks a Weyl sequence (a 32-bit counter stepped by the golden-ratio constant) and scrambles each
 * step with the MurmurHash3 32-bit finalizer: two multiplies per draw, no allocation, and the same
 * sequence for the same seed on every platform. Good enough for spreading load and for reproducible
 * tests and benchmarks; not for anything security related.
 *
 * @param seed - Any integer; it is taken modulo 2^32.
 * @throws ConfigError when `seed` is not an integer.
 * @example
 * ```ts
 * const next = seededRandom(42);
 * next(); // same value on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed)) {
    throw new ConfigError({
      file: '<config object>',
      keyPath: 'seed',
      expected: 'an integer',
      found: String(seed),
    });
  }
  // `| 0` alone would wrap seeds >= 2^53 through ToInt32 too, but `%` makes the modulo explicit.
  let state = (seed % 2 ** 32) | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}
