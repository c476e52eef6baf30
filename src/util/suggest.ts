/**
 * "Did you mean" suggestions for mistyped names (commands, options, configuration keys).
 */

/** Edit distance between two strings (insertions, deletions and substitutions each cost 1). */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible typo:
 * a third of the letters may differ, and a prefix of three or more letters counts as close.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const needle = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = levenshtein(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(needle.length, best.length) / 3));
  if (bestDistance <= allowed) return best;
  if (needle.length >= 3) return candidates.find((candidate) => candidate.toLowerCase().startsWith(needle));
  return undefined;
}

/** ` Did you mean 'x'?` when a candidate is close, else an empty string, ready to append to a message. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` Did you mean '${match}'?`;
}
