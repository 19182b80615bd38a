/** Lower case without separators, so `read_timeout`, `readTimeout` and `read-timeout` meet. */
function squash(word: string): string {
  return word.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Edit distance with adjacent transpositions (optimal string alignment), capped for speed. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, previous2[j - 2]! + 1);
      }
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > cap) return cap + 1;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate `word` was most likely meant to be, or `undefined` when none is close: the same
 * word in another case style, else the nearest by edit distance within about a third of its
 * length (at least 2 edits, so short typos are still caught).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const squashed = squash(word);
  const sameWord = candidates.find((candidate) => squash(candidate) === squashed);
  if (sameWord !== undefined) return sameWord;
  const cap = Math.max(2, Math.floor(squashed.length / 3));
  let best: string | undefined;
  let bestDistance = cap + 1;
  for (const candidate of candidates) {
    const d = distance(squashed, squash(candidate), cap);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
