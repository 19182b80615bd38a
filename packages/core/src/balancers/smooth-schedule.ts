/**
 * The smooth weighted round-robin sequence of nginx, produced in O(log n) per pick instead of O(n).
 *
 * nginx keeps a `current` value per instance; each pick adds every instance's weight to its
 * `current`, takes the instance with the largest `current` (the first in list order on a tie) and
 * subtracts the total weight from it. Written as a function of the pick number `t`, instance `i`'s
 * value is the line `base[i] + t * weight[i]`, and a pick lowers one line's `base` by the total.
 * Finding the largest of n lines at a time that only moves forward, with one line changing per
 * step, is what a kinetic tournament tree does: every node keeps the winner of its subtree and the
 * first time that winner can change (when two lines cross). A pick then re-plays only the nodes whose
 * time has come, plus the path of the one changed line: O(log n) when weights are equal (parallel
 * lines never cross) and a few more crossings otherwise.
 *
 * Values are kept as integers (weights scaled to integers, see `integerWeights`) so the crossing
 * times are exact and the sequence matches nginx pick for pick, ties included.
 */
export class SmoothSchedule {
  /** Number of instances. */
  readonly size: number;
  /** Integer units per unit of weight. */
  readonly #scale: number;
  /** Sum of the integer weights: what a pick subtracts. */
  readonly #total: number;
  readonly #slope: Float64Array;
  readonly #base: Float64Array;
  /** Leaf count of the tree: the next power of two >= size; node `k` has children `2k`, `2k + 1`. */
  readonly #leaves: number;
  /** Per node, the index of the instance with the largest value in its subtree, or -1 for padding. */
  readonly #winner: Int32Array;
  /** Per node, the first pick number at which the winner of some node in its subtree may change. */
  readonly #expires: Float64Array;
  /** Picks since the last rebase; see `#rebase`. */
  #time = 0;
  readonly #rebaseAt: number;

  /**
   * @param weights - Finite weights > 0, at least one, in list order (list order breaks ties).
   * @param carried - Optional `current` values to start from, in the same units as `weights`;
   *   `NaN` (or a missing entry) starts that instance at 0, as nginx does for a new peer.
   */
  constructor(weights: readonly number[], carried?: ArrayLike<number>) {
    const n = weights.length;
    const { integers, scale } = integerWeights(weights);
    let total = 0;
    for (const weight of integers) total += weight;
    this.size = n;
    this.#scale = scale;
    this.#total = total;
    this.#slope = integers;
    this.#base = new Float64Array(n);
    if (carried !== undefined) {
      for (let i = 0; i < n && i < carried.length; i++) {
        const value = carried[i]!;
        if (Number.isFinite(value)) this.#base[i] = clamp(Math.round(value * scale), VALUE_LIMIT);
      }
    }
    let leaves = 1;
    while (leaves < n) leaves *= 2;
    this.#leaves = leaves;
    this.#winner = new Int32Array(2 * leaves).fill(-1);
    this.#expires = new Float64Array(2 * leaves).fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < n; i++) this.#winner[leaves + i] = i;
    for (let node = leaves - 1; node >= 1; node--) this.#combine(node, 0);
    // Fold `time * slope` into `base` before it could leave the range of exact integers.
    this.#rebaseAt = Math.max(1, Math.floor(TIME_WEIGHT_LIMIT / total));
  }

  /** Advances the schedule by one pick and returns the chosen index. */
  next(): number {
    let time = this.#time + 1;
    if (time > this.#rebaseAt) {
      this.#rebase();
      time = 1;
    }
    if (this.#expires[1]! <= time) this.#refresh(1, time);
    const chosen = this.#winner[1]!;
    this.#base[chosen] = this.#base[chosen]! - this.#total;
    for (let node = (this.#leaves + chosen) >> 1; node >= 1; node >>= 1) this.#combine(node, time);
    this.#time = time;
    return chosen;
  }

  /** Instance `index`'s nginx `current` value after the last pick, in the units of the weights. */
  currentWeight(index: number): number {
    return (this.#base[index]! + this.#time * this.#slope[index]!) / this.#scale;
  }

  #refresh(node: number, time: number): void {
    if (this.#expires[node]! > time) return;
    this.#refresh(2 * node, time);
    this.#refresh(2 * node + 1, time);
    this.#combine(node, time);
  }

  /** Recomputes `node` from its children, which must be up to date at `time`. */
  #combine(node: number, time: number): void {
    const winner = this.#winner;
    const expires = this.#expires;
    const leftChild = 2 * node;
    const left = winner[leftChild]!;
    const right = winner[leftChild + 1]!;
    const leftExpires = expires[leftChild]!;
    const rightExpires = expires[leftChild + 1]!;
    let until = Math.min(leftExpires, rightExpires);
    // Padding sits at the right end only, so a missing left child means both are missing.
    if (right < 0) {
      winner[node] = left;
      expires[node] = until;
      return;
    }
    const leftBase = this.#base[left]!;
    const rightBase = this.#base[right]!;
    const leftSlope = this.#slope[left]!;
    const rightSlope = this.#slope[right]!;
    // The left subtree holds the lower indices, so it wins ties, like nginx's first-in-list rule.
    if (rightBase + time * rightSlope > leftBase + time * leftSlope) {
      winner[node] = right;
      // Left catches up (a tie is enough) at the first t with t * (ls - rs) >= rb - lb.
      if (leftSlope > rightSlope) {
        const at = -floorDiv(leftBase - rightBase, leftSlope - rightSlope);
        if (at < until) until = at;
      }
    } else {
      winner[node] = left;
      // Right overtakes (strictly) at the first t with t * (rs - ls) > lb - rb.
      if (rightSlope > leftSlope) {
        const at = floorDiv(leftBase - rightBase, rightSlope - leftSlope) + 1;
        if (at < until) until = at;
      }
    }
    expires[node] = until;
  }

  #rebase(): void {
    const time = this.#time;
    for (let i = 0; i < this.size; i++) this.#base[i] = this.#base[i]! + time * this.#slope[i]!;
    const expires = this.#expires;
    for (let node = 1; node < expires.length; node++) expires[node] = expires[node]! - time;
    this.#time = 0;
  }
}

/** Largest sum of integer weights times picks between rebases; far below 2^53. */
const TIME_WEIGHT_LIMIT = 2 ** 48;
/** Largest magnitude of a `current` value (or a sum of integer weights times the instance count). */
const VALUE_LIMIT = 2 ** 46;
/** Largest sum of integer weights. */
const TOTAL_LIMIT = 2 ** 36;

/**
 * Scales weights to integers so the schedule's arithmetic is exact: by the smallest power of ten up
 * to 10^6 that makes every weight whole (integer weights, the usual case, stay as they are), else
 * rounds at 10^6. A positive weight never rounds to 0. When the integer total would be too large for
 * exact arithmetic (absurd weights such as 1e15), all weights are scaled down together.
 */
export function integerWeights(weights: readonly number[]): { integers: Float64Array; scale: number } {
  const n = weights.length;
  let scale = 1;
  for (let digits = 0; digits <= 6; digits++) {
    scale = 10 ** digits;
    if (weights.every((weight) => isWhole(weight * scale))) break;
  }
  const integers = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    integers[i] = Math.max(1, Math.round(weights[i]! * scale));
    total += integers[i]!;
  }
  const limit = Math.min(TOTAL_LIMIT, Math.floor(VALUE_LIMIT / Math.max(n, 1)));
  if (total > limit) {
    // Aim at half the limit: the `max(1, ...)` floor can only add to the total.
    const factor = total / (limit / 2);
    for (let i = 0; i < n; i++) integers[i] = Math.max(1, Math.round(integers[i]! / factor));
    scale /= factor;
  }
  return { integers, scale };
}

function isWhole(value: number): boolean {
  return Math.abs(value - Math.round(value)) <= 1e-9 * Math.max(1, Math.abs(value));
}

function clamp(value: number, limit: number): number {
  return Math.min(limit, Math.max(-limit, value));
}

/** `floor(a / b)` for integers `a` and `b > 0`, exact even where `a / b` rounds across an integer. */
function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  if (q * b > a) q -= 1;
  else if ((q + 1) * b <= a) q += 1;
  return q;
}
