/** Private: name similarity for "did you mean" suggestions. */

/** Levenshtein distance (two rows). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** 1 for equal names, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

/** A candidate for a suggestion: its name and the shape it expects. */
export interface SuggestionCandidate {
  name: string;
  shape: number[];
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The candidate most likely meant: same shape counts more than a similar name; none when
 * nothing is close (a similar name with another shape still qualifies when very close).
 */
export function suggest(name: string, shape: number[], candidates: SuggestionCandidate[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const c of candidates) {
    const sim = similarity(name, c.name);
    const same = sameShape(shape, c.shape);
    if (!(same ? sim >= 0.3 : sim >= 0.75)) continue;
    const score = sim + (same ? 1 : 0);
    if (!best || score > best.score) best = { name: c.name, score };
  }
  return best?.name;
}
