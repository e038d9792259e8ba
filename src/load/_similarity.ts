/** Private: name similarity for "did you mean" suggestions. */
import { _editDistance } from "../_text/edit_distance";

/** 1 for equal names, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - _editDistance(a, b) / longest;
}

/** A candidate for a suggestion: its name and the shape it expects. */
export interface SuggestionCandidate {
  name: string;
  shape: number[];
}

/** Name comparisons (each an edit distance) a plan may spend on suggestions: keeps huge checkpoints fast. */
const BUDGET = 100_000;

/**
 * Builds the "did you mean" function over `candidates`: same shape counts more than a similar
 * name; a similar name with another shape still qualifies when very close. Within a budget of
 * name comparisons: past it, only same-shape candidates, then none. Undefined when nothing is close.
 */
export function suggester(candidates: SuggestionCandidate[], queries: number): (name: string, shape: number[]) => string | undefined {
  const perQuery = BUDGET / Math.max(1, queries);
  const byShape = new Map<string, SuggestionCandidate[]>();
  for (const c of candidates) {
    const key = c.shape.join("x");
    byShape.set(key, [...(byShape.get(key) ?? []), c]);
  }
  return (name, shape) => {
    let best: { name: string; score: number } | undefined;
    const consider = (c: SuggestionCandidate, same: boolean) => {
      const sim = similarity(name, c.name);
      if (!(same ? sim >= 0.3 : sim >= 0.75)) return;
      const score = sim + (same ? 1 : 0);
      if (!best || score > best.score) best = { name: c.name, score };
    };
    const same = byShape.get(shape.join("x")) ?? [];
    if (candidates.length <= perQuery) {
      const sameSet = new Set(same);
      for (const c of candidates) consider(c, sameSet.has(c));
    }
    else if (same.length <= perQuery) for (const c of same) consider(c, true);
    return best?.name;
  };
}
