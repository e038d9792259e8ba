/**
 * The match plan: which checkpoint entries become which model weights, through which layout
 * transform — and what is missing, unexpected, mismatched, skipped or ignored. Pure data built
 * from names and shapes only: nothing is read and nothing changes.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Checkpoint } from "../checkpoint/types";
import { Layout, pair, ruleFor, SourceEntry } from "./_candidates";
import { choosePrefix, PrefixAction } from "./_prefix";
import { matchStructure } from "./_structure";
import { suggester, SuggestionCandidate } from "./_similarity";
import { LayoutContext, layoutContext, LayoutRule } from "./layouts";
import { applyRename, ignoredReason, ModelWeight, modelWeights, tfjsKeyCandidates, tfjsKeysOf, torchNamesOf } from "./names";
import { LoadOptions, resolveLoadOptions, ResolvedLoadOptions } from "./options";

/** One weight that will be loaded. */
export interface PlannedLoad {
  target: string;
  /** Checkpoint names it is made from (two for an LSTM bias). */
  sources: string[];
  shape: number[];
  transform: string;
  /** Paired by order and shape rather than by name. */
  structural: boolean;
  /** Bytes read from the checkpoint for it. */
  bytes: number;
  weight: ModelWeight;
  rule: LayoutRule;
  ctx: LayoutContext;
}

/** A warning that changes nothing but deserves a look (BatchNorm epsilon, refused structural groups, prefixes). */
export interface LoadWarning {
  code: "bn_epsilon" | "bn_momentum" | "structural_ambiguous" | "prefix" | "no_rule";
  message: string;
  targets: string[];
}

export interface LoadPlan {
  format: string;
  path: string;
  container?: string;
  layout: Layout;
  match: "auto" | "name" | "order";
  prefix?: PrefixAction;
  loaded: PlannedLoad[];
  missing: { target: string; shape: number[]; expected?: string[] }[];
  unexpected: { source: string; shape: number[]; suggestion?: string }[];
  /** `modelShape` in tfjs layout; `expectedShape` is the same weight in the checkpoint's layout (what the checkpoint should have held). */
  mismatched: { target: string; source: string; modelShape: number[]; checkpointShape: number[]; expectedShape: number[]; transform: string }[];
  incompatible: { target: string; sources: string[]; reason: string }[];
  /** Entries left out by `skip`; `target` is the model weight they would have gone to (left as initialised, not missing). */
  skipped: { source: string; shape: number[]; target?: string }[];
  ignored: { source: string; shape: number[]; reason: string }[];
  warnings: LoadWarning[];
  /** Parameters (elements) of the model, and of the weights the plan loads. */
  totalParams: number;
  loadedParams: number;
  totalTensors: number;
}

/** Mutable state while matching. */
interface Matching {
  layout: Layout;
  weights: ModelWeight[];
  entries: Map<string, SourceEntry>;
  done: Set<ModelWeight>;
  used: Set<string>;
  plan: LoadPlan;
}

function commit(m: Matching, w: ModelWeight, sources: SourceEntry[], structural: boolean): void {
  const rule = ruleFor(w, m.layout);
  if (!rule) return;
  const outcome = pair(w, rule, sources);
  m.done.add(w);
  sources.forEach((s) => m.used.add(s.name));
  const names = sources.map((s) => s.original);
  if (outcome.kind === "loaded") {
    const bytes = sources.reduce((a, s) => a + s.byteLength, 0);
    const from = sources.map((s) => s.info.dtype).find((d) => d !== w.variable.dtype);
    const transform = from ? `cast(${from}→${w.variable.dtype}), ${outcome.transform}` : outcome.transform;
    m.plan.loaded.push({ target: w.target, sources: names, shape: w.shape, transform, structural, bytes, weight: w, rule, ctx: outcome.ctx });
  } else if (outcome.kind === "mismatched") {
    const expectedShape = rule.sourceShapes(layoutContext(w.layer, w.shape))[0];
    m.plan.mismatched.push({ target: w.target, source: names.join(" + "), modelShape: w.shape, checkpointShape: sources[0].shape, expectedShape, transform: outcome.transform });
  } else {
    m.plan.incompatible.push({ target: w.target, sources: names, reason: outcome.reason });
  }
}

/** Name matching: torch names from the layer names, or tfjs/Keras keys. */
function matchNames(m: Matching): void {
  if (m.layout === "torch") {
    for (const w of m.weights) {
      const names = torchNamesOf(w);
      if (!names || !names.every((n) => m.entries.has(n) && !m.used.has(n))) continue;
      commit(m, w, names.map((n) => m.entries.get(n) as SourceEntry), false);
    }
    return;
  }
  const byKey = new Map<string, ModelWeight>();
  for (const w of m.weights) for (const k of tfjsKeysOf(w)) if (!byKey.has(k)) byKey.set(k, w);
  for (const e of m.entries.values()) {
    const w = tfjsKeyCandidates(e.name).map((k) => byKey.get(k)).find((c) => c && !m.done.has(c));
    if (w) commit(m, w, [e], false);
  }
}

/** Weights whose checkpoint entries were all skipped on purpose: not missing, just skipped. */
function markSkippedTargets(m: Matching, skippedNames: string[]): void {
  if (skippedNames.length === 0) return;
  const names = new Set(skippedNames);
  const bySource = new Map(m.plan.skipped.map((s, i) => [skippedNames[i], s]));
  for (const w of m.weights) {
    if (m.done.has(w)) continue;
    let hits: string[] = [];
    if (m.layout === "torch") hits = torchNamesOf(w)?.filter((n) => names.has(n)) ?? [];
    else {
      const keys = new Set(tfjsKeysOf(w));
      hits = skippedNames.filter((n) => tfjsKeyCandidates(n).some((k) => keys.has(k))).slice(0, 1);
    }
    if (hits.length === 0) continue;
    m.done.add(w);
    for (const h of hits) (bySource.get(h) as { target?: string }).target = w.target;
  }
}

function countNameMatches(weights: ModelWeight[], names: Set<string>, layout: Layout): number {
  if (layout === "torch") return weights.filter((w) => torchNamesOf(w)?.every((n) => names.has(n))).length;
  const keys = new Set(weights.flatMap(tfjsKeysOf));
  return [...names].filter((n) => tfjsKeyCandidates(n).some((k) => keys.has(k))).length;
}

function chooseLayout(ckpt: Pick<Checkpoint, "format">, names: Set<string>, weights: ModelWeight[], wanted: ResolvedLoadOptions["layout"]): Layout {
  if (wanted !== "auto") return wanted;
  if (ckpt.format === "torch-zip" || ckpt.format === "torch-legacy") return "torch";
  if (ckpt.format === "tfjs" || ckpt.format.startsWith("keras")) return "tfjs";
  const torch = countNameMatches(weights, names, "torch");
  const tfjs = countNameMatches(weights, names, "tfjs");
  if (torch !== tfjs) return torch > tfjs ? "torch" : "tfjs";
  return [...names].some((n) => n.includes("/")) ? "tfjs" : "torch";
}

function bnWarnings(plan: LoadPlan): void {
  if (plan.layout !== "torch") return;
  const eps: string[] = [];
  const momentum: string[] = [];
  const seen = new Set<tf.layers.Layer>();
  for (const l of plan.loaded) {
    const layer = l.weight.layer;
    if (layer.getClassName() !== "BatchNormalization" || seen.has(layer)) continue;
    seen.add(layer);
    const cfg = layer.getConfig() as { epsilon?: number; momentum?: number };
    if (cfg.epsilon !== undefined && Math.abs(cfg.epsilon - 1e-5) > 1e-9) eps.push(`${layer.name} (${cfg.epsilon})`);
    if (cfg.momentum !== undefined && Math.abs(cfg.momentum - 0.9) > 1e-9) momentum.push(`${layer.name} (${cfg.momentum})`);
  }
  if (eps.length > 0) {
    plan.warnings.push({
      code: "bn_epsilon",
      targets: eps,
      message: `${eps.length} BatchNormalization layer${eps.length === 1 ? " has an" : "s have an"} epsilon other than torch's 1e-5 (${eps.slice(0, 3).join(", ")}${eps.length > 3 ? ", …" : ""}); outputs will differ from torch — build them with epsilon: 1e-5`,
    });
  }
  if (momentum.length > 0) {
    plan.warnings.push({
      code: "bn_momentum",
      targets: momentum,
      message: `${momentum.length} BatchNormalization layer${momentum.length === 1 ? " has" : "s have"} a momentum other than 0.9 (= torch's default momentum 0.1); this only matters when training updates the moving statistics`,
    });
  }
}

/**
 * Plans a load without reading any tensor: names, shapes and the model only. This is what a
 * dry run shows, and what `graft inspect --against` or `%load_weights --dry-run` render.
 * @param model the tfjs model to receive weights.
 * @param source a Checkpoint, or just its `format` and `entries` (e.g. from `graft inspect --json`).
 * @returns the plan as plain data (see {@link LoadPlan}); wrap it in a LoadReport to render it.
 * @example
 * ```ts
 * const plan = planLoad(model, await open("resnet18.pth"));
 * plan.loaded.length; plan.mismatched; // [{ target: "fc/kernel", checkpointShape: [1000, 512], … }]
 * ```
 */
export function planLoad(
  model: tf.LayersModel,
  source: PlanSource,
  options: LoadOptions = {},
): LoadPlan {
  return buildPlan(model, source, resolveLoadOptions(options));
}

/** What planning needs of a checkpoint: its format and entries (path and container for the report). */
export type PlanSource = Pick<Checkpoint, "format" | "entries"> & Partial<Pick<Checkpoint, "path" | "container">>;

/** {@link planLoad} with options already resolved (used by loadWeights). */
export function buildPlan(model: tf.LayersModel, source: PlanSource, opts: ResolvedLoadOptions): LoadPlan {
  const weights = modelWeights(model);
  const plan: LoadPlan = {
    format: source.format, path: source.path ?? "", container: source.container, layout: "torch", match: opts.match,
    loaded: [], missing: [], unexpected: [], mismatched: [], incompatible: [], skipped: [], ignored: [], warnings: [],
    totalParams: weights.reduce((a, w) => a + w.size, 0), loadedParams: 0, totalTensors: weights.length,
  };
  let entries: SourceEntry[] = [];
  const skippedNames: string[] = [];
  for (const info of source.entries) {
    if (opts.skip(info.name)) {
      plan.skipped.push({ source: info.name, shape: info.shape });
      skippedNames.push(applyRename(info.name, opts.rename));
      continue;
    }
    const reason = ignoredReason(info.name);
    if (reason) {
      plan.ignored.push({ source: info.name, shape: info.shape, reason });
      continue;
    }
    entries.push({ original: info.name, name: applyRename(info.name, opts.rename), shape: info.shape, byteLength: info.byteLength, info });
  }
  plan.layout = chooseLayout(source, new Set(entries.map((e) => e.name)), weights, opts.layout);
  if (opts.stripPrefix !== false && opts.match !== "order") {
    const count = (names: Set<string>) => countNameMatches(weights, names, plan.layout);
    const { action, rename } = choosePrefix(entries.map((e) => e.name), weights, opts.stripPrefix, count);
    if (action) {
      plan.prefix = action;
      entries = entries.map((e) => ({ ...e, name: rename(e.name) }));
      skippedNames.forEach((n, i) => (skippedNames[i] = rename(n)));
      plan.warnings.push({ code: "prefix", targets: [], message: action.message });
    }
  }
  const m: Matching = { layout: plan.layout, weights, entries: new Map(entries.map((e) => [e.name, e])), done: new Set(), used: new Set(), plan };
  if (opts.match !== "order") matchNames(m);
  if (opts.match !== "name") {
    const restW = weights.filter((w) => !m.done.has(w) && ruleFor(w, m.layout));
    const restE = entries.filter((e) => !m.used.has(e.name));
    const { pairs, refused } = matchStructure(restW, restE, m.layout);
    for (const p of pairs) commit(m, p.weight, p.sources, true);
    for (const r of refused) plan.warnings.push({ code: "structural_ambiguous", targets: r.targets, message: r.message });
  }
  const restEntries = entries.filter((e) => !m.used.has(e.name));
  markSkippedTargets(m, skippedNames);
  const restWeights = weights.filter((w) => !m.done.has(w));
  const candidates: SuggestionCandidate[] = restWeights.flatMap((w) => {
    const rule = ruleFor(w, m.layout);
    if (m.layout === "tfjs" || !rule) return [{ name: w.target, shape: w.shape }];
    const shapes = rule.sourceShapes({ layer: w.layer, target: w.shape });
    return rule.torch.map((suffix, i) => ({ name: `${w.layer.name}.${suffix}`, shape: shapes[i] }));
  });
  const suggest = suggester(candidates, restEntries.length);
  for (const e of restEntries) plan.unexpected.push({ source: e.original, shape: e.shape, suggestion: suggest(e.name, e.shape) });
  for (const w of restWeights) plan.missing.push({ target: w.target, shape: w.shape, expected: m.layout === "torch" ? torchNamesOf(w) : undefined });
  const noRule = restWeights.filter((w) => !ruleFor(w, m.layout)).map((w) => w.target);
  if (noRule.length > 0) {
    plan.warnings.push({ code: "no_rule", targets: noRule, message: `graft has no torch layout for ${noRule.slice(0, 3).join(", ")}${noRule.length > 3 ? ", …" : ""} (layer class ${restWeights.find((w) => !ruleFor(w, m.layout))?.layer.getClassName()}); they were left as initialised` });
  }
  plan.loadedParams = plan.loaded.reduce((a, l) => a + l.weight.size, 0);
  bnWarnings(plan);
  return plan;
}
