/** The median of several runs with the spread around it. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median (mean of the two middle values for an even count), min and max. Throws on no values. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('spread() needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/**
 * Nearest-rank percentiles of `values` (each `p` from 0 to 100), in the order asked.
 * Sorts `values` in place; returns `NaN`s for no values.
 */
export function percentilesInPlace(values: Float64Array, ps: readonly number[]): number[] {
  if (values.length === 0) return ps.map(() => Number.NaN);
  values.sort();
  return ps.map((p) => {
    const rank = Math.ceil((p / 100) * values.length);
    return values[Math.min(values.length, Math.max(1, rank)) - 1]!;
  });
}
