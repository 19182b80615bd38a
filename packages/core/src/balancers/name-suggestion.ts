/**
 * The candidate a mistyped name most likely meant, or `undefined` when none is close.
 *
 * Spelling variants (`round-robin`, `Round Robin`, `ROUND_ROBIN`) are folded to the snake_case
 * form first; what remains is matched by edit distance, allowing roughly one typo per three
 * characters (`weighted_random` -> `weight_random`, `randon` -> `random`).
 */
export function suggestName(value: string, candidates: readonly string[]): string | undefined {
  const folded = value
    .trim()
    .toLowerCase()
    .replace(/[\s.-]+/g, '_');
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(folded, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute), one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute);
    }
    previous = current;
  }
  return previous[b.length]!;
}
