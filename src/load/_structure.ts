/**
 * Private: structural matching — when names don't line up (a hand-written tfjs copy named
 * `conv2d_1`, `batch_normalization_3` …), pair what is left by order, kind and shape.
 *
 * Units: on the model side a layer's remaining weights; on the checkpoint side a module's
 * remaining entries (torch: `features.0.weight` + `features.0.bias`; tfjs: `conv2d/kernel` +
 * `conv2d/bias`). Each unit gets a signature: parameter names and shapes in the *source*
 * layout (the model side converts its shapes back through the layout table). Units with equal
 * signatures are paired in order only when both sides have the same number of them; otherwise
 * the pairing would be a guess, and the group is refused with a warning.
 */
import { Layout, ruleFor, SourceEntry } from "./_candidates";
import { layoutContext } from "./layouts";
import { ModelWeight, splitTorchName } from "./names";

interface ModelUnit {
  name: string;
  weights: ModelWeight[];
  signature: string;
  /** Source parameter name (torch suffix or position) for each weight's inputs. */
  params: string[][];
}

interface SourceUnit {
  name: string;
  byParam: Map<string, SourceEntry>;
  signature: string;
}

export interface StructuralPair {
  weight: ModelWeight;
  sources: SourceEntry[];
}

function moduleOf(e: SourceEntry, layout: Layout): [string, string] {
  if (layout === "torch") return splitTorchName(e.name);
  const key = e.name.replace(/:\d+$/, "");
  const slash = key.lastIndexOf("/");
  return slash < 0 ? ["", key] : [key.slice(0, slash), key.slice(slash + 1)];
}

function modelUnits(weights: ModelWeight[], layout: Layout): ModelUnit[] {
  const units = new Map<string, ModelWeight[]>();
  for (const w of weights) units.set(w.layer.name, [...(units.get(w.layer.name) ?? []), w]);
  return [...units].map(([name, ws]) => {
    const parts: string[] = [];
    const params = ws.map((w, i) => {
      const rule = ruleFor(w, layout);
      if (!rule) return [];
      const shapes = rule.sourceShapes(layoutContext(w.layer, w.shape));
      const names = layout === "torch" ? [...rule.torch] : [String(i)];
      names.forEach((n, j) => parts.push(`${n}=${shapes[j].join("x")}`));
      return names;
    });
    return { name, weights: ws, params, signature: parts.sort().join(",") };
  });
}

function sourceUnits(entries: SourceEntry[], layout: Layout): SourceUnit[] {
  const units = new Map<string, SourceEntry[]>();
  for (const e of entries) {
    const [mod] = moduleOf(e, layout);
    units.set(mod, [...(units.get(mod) ?? []), e]);
  }
  return [...units].map(([name, es]) => {
    const byParam = new Map<string, SourceEntry>();
    es.forEach((e, i) => byParam.set(layout === "torch" ? moduleOf(e, layout)[1] : String(i), e));
    const signature = [...byParam].map(([p, e]) => `${p}=${e.shape.join("x")}`).sort().join(",");
    return { name, byParam, signature };
  });
}

/** Pairs remaining weights with remaining entries by structure; refuses ambiguous groups. */
export function matchStructure(
  weights: ModelWeight[],
  entries: SourceEntry[],
  layout: Layout,
): { pairs: StructuralPair[]; refused: { targets: string[]; message: string }[] } {
  const pairs: StructuralPair[] = [];
  const refused: { targets: string[]; message: string }[] = [];
  if (weights.length === 0 || entries.length === 0) return { pairs, refused };
  const mUnits = modelUnits(weights, layout);
  const sUnits = sourceUnits(entries, layout);
  const groups = new Map<string, { m: ModelUnit[]; s: SourceUnit[] }>();
  for (const u of mUnits) {
    const g = groups.get(u.signature) ?? { m: [], s: [] };
    g.m.push(u);
    groups.set(u.signature, g);
  }
  for (const u of sUnits) groups.get(u.signature)?.s.push(u);
  for (const [signature, g] of groups) {
    if (g.s.length === 0) continue;
    if (g.m.length !== g.s.length) {
      refused.push({
        targets: g.m.map((u) => u.name),
        message:
          `structural matching refused ${g.m.length} model layer${g.m.length === 1 ? "" : "s"} (${g.m.slice(0, 3).map((u) => u.name).join(", ")}) ` +
          `against ${g.s.length} checkpoint module${g.s.length === 1 ? "" : "s"} (${g.s.slice(0, 3).map((u) => u.name).join(", ")}) with the same shapes (${signature}): ` +
          `the counts differ, so any pairing would be a guess — name them with rename: [[pattern, replacement]]`,
      });
      continue;
    }
    g.m.forEach((mu, i) => {
      const su = g.s[i];
      mu.weights.forEach((w, j) => pairs.push({ weight: w, sources: mu.params[j].map((p) => su.byParam.get(p) as SourceEntry) }));
    });
  }
  return { pairs, refused };
}
