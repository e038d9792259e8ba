/**
 * Private: `stripPrefix` — remove a wrapper prefix (`module.` from DataParallel, `model.`,
 * `backbone.`, `encoder.`, `_orig_mod.` from torch.compile) from checkpoint names, or add one
 * the model's layer names carry, whichever makes the most names match.
 */
import { KNOWN_PREFIXES, ModelWeight } from "./names";

/** What prefix handling did, for the report. */
export interface PrefixAction {
  stripped?: string;
  added?: string;
  /** Names that matched before and after. */
  before: number;
  after: number;
  message: string;
}

type Rename = (name: string) => string;

const strip = (p: string): Rename => (n) => (n.startsWith(p) ? n.slice(p.length) : n);
const add = (p: string): Rename => (n) => (n.startsWith(p) ? n : p + n);

/** The first path segment (with its separator) shared by every name, if any. */
function commonFirst(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  const m = /^[^./]+[./]/.exec(names[0]);
  return m && names.every((n) => n.startsWith(m[0])) ? m[0] : undefined;
}

/** Picks the prefix change that makes the most names match (none unless it strictly helps). */
export function choosePrefix(
  names: string[],
  weights: ModelWeight[],
  mode: "auto" | string,
  count: (names: Set<string>) => number,
): { action?: PrefixAction; rename: Rename } {
  const before = count(new Set(names));
  const measure = (r: Rename) => count(new Set(names.map(r)));
  if (mode !== "auto") {
    const hits = names.filter((n) => n.startsWith(mode)).length;
    if (hits === 0) return { rename: (n) => n };
    const after = measure(strip(mode));
    return { rename: strip(mode), action: { stripped: mode, before, after, message: `stripped "${mode}" from ${hits} checkpoint names (stripPrefix)` } };
  }
  const strips = new Set<string>(KNOWN_PREFIXES);
  const common = commonFirst(names);
  if (common) strips.add(common);
  const adds = new Set<string>(KNOWN_PREFIXES);
  const layerFirst = commonFirst(weights.map((w) => w.layer.name));
  if (layerFirst) adds.add(layerFirst);
  let best: { rename: Rename; after: number; stripped?: string; added?: string } = { rename: (n) => n, after: before };
  for (const p of strips) {
    if (!names.some((n) => n.startsWith(p))) continue;
    const after = measure(strip(p));
    if (after > best.after) best = { rename: strip(p), after, stripped: p };
    // Wrappers nest (DataParallel around torch.compile): try a second known prefix after this one.
    for (const q of KNOWN_PREFIXES) {
      const both: Rename = (n) => strip(q)(strip(p)(n));
      const afterBoth = measure(both);
      if (q !== p && afterBoth > best.after) best = { rename: both, after: afterBoth, stripped: p + q };
    }
  }
  for (const p of adds) {
    const after = measure(add(p));
    if (after > best.after) best = { rename: add(p), after, added: p, stripped: undefined };
  }
  if (!best.stripped && !best.added) return { rename: (n) => n };
  const what = best.stripped ? `stripped "${best.stripped}" from` : `added "${best.added}" to`;
  return {
    rename: best.rename,
    action: {
      stripped: best.stripped,
      added: best.added,
      before,
      after: best.after,
      message: `${what} checkpoint names (stripPrefix: "auto"): ${best.after} weights match by name instead of ${before}`,
    },
  };
}
