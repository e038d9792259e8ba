/** Levenshtein distance and "did you mean" ranking for layer names. */

/** Edit distance (insertions, deletions, substitutions each cost 1) between `a` and `b`. */
export function _editDistance(a: string, b: string): number {
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

/**
 * The `count` names closest to `query`, best first. Glob and regex syntax is dropped from the
 * query, and a name's prefix of the query's length also counts, so `"layr4.*"` ranks `layer4.0.conv1` first; a name inside a nested model
 * also counts by its inner part, so `"conv1"` finds `backbone/conv1`.
 */
export function _closest(query: string, names: string[], count = 5): string[] {
  const q = query.replace(/^!/, "").replace(/[*?[\]{}()^$\\|+]/g, "");
  const scored = [...new Set(names)].map((name) => ({
    name,
    score: Math.min(
      _editDistance(q, name),
      _editDistance(q, name.slice(0, q.length)) + 0.5,
      _editDistance(q, name.slice(name.lastIndexOf("/") + 1)) + 0.25, // "conv1" → "backbone/conv1"
    ),
  }));
  scored.sort((x, y) => x.score - y.score || x.name.length - y.name.length);
  return scored.slice(0, count).map((s) => s.name);
}
