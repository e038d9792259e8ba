/** "Did you mean" ranking for layer names. */
import { _editDistance } from "../_text/edit_distance";

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
