/**
 * Walker's alias table (Vose's construction): after O(n) setup, one uniform number picks an index
 * with probability proportional to its weight in O(1).
 *
 * Each of the `n` columns holds its own index with probability `threshold[i]` and `alias[i]`
 * otherwise. One draw `r` gives both the column (`floor(r * n)`) and the coin (the fraction left),
 * which keeps the pick to a single call of the random source.
 */
export class AliasTable {
  readonly size: number;
  readonly #threshold: Float64Array;
  readonly #alias: Int32Array;

  /** @param weights - Finite weights > 0, at least one. */
  constructor(weights: readonly number[]) {
    const n = weights.length;
    this.size = n;
    this.#threshold = new Float64Array(n);
    this.#alias = new Int32Array(n);
    let total = 0;
    for (const weight of weights) total += weight;

    // scaled[i] is column i's share in units of one column (the mean weight).
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let smallTop = 0;
    let largeTop = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      this.#alias[i] = i;
      if (scaled[i]! < 1) small[smallTop++] = i;
      else large[largeTop++] = i;
    }
    while (smallTop > 0 && largeTop > 0) {
      const lower = small[--smallTop]!;
      const upper = large[--largeTop]!;
      this.#threshold[lower] = scaled[lower]!;
      this.#alias[lower] = upper;
      scaled[upper] = scaled[upper]! + scaled[lower]! - 1;
      if (scaled[upper]! < 1) small[smallTop++] = upper;
      else large[largeTop++] = upper;
    }
    // What is left is 1 up to rounding error: those columns keep their own index outright.
    while (largeTop > 0) this.#threshold[large[--largeTop]!] = 1;
    while (smallTop > 0) this.#threshold[small[--smallTop]!] = 1;
  }

  /** The index for a uniform number `r` in `[0, 1)`. */
  indexFor(r: number): number {
    const n = this.size;
    const scaled = r * n;
    let column = scaled | 0;
    // r * n can round up to n when r is within an ulp of 1.
    if (column >= n) column = n - 1;
    return scaled - column < this.#threshold[column]! ? column : this.#alias[column]!;
  }
}
