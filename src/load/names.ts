/**
 * The naming convention (ARCHITECTURE.md §3): a tfjs layer named after a torch module path
 * (`layer1.0.conv1`) receives `layer1.0.conv1.weight` etc.; tfjs/Keras sources name weights
 * `conv2d_1/kernel`, `dense/kernel:0`, `model_weights/dense/dense/kernel:0` (h5) or
 * `dense/vars/0` or `layers/dense/0` (Keras 3). This file maps both sides to comparable keys.
 */
import type * as tf from "@tensorflow/tfjs";
import { torchRule, TORCH_IGNORED } from "./layouts";

/** One weight of the model, as the planner sees it. */
export interface ModelWeight {
  /** `layer/weight`, e.g. `layer1.0.conv1/kernel` (tfjs's own spelling). */
  target: string;
  layer: tf.layers.Layer;
  /** Weight name inside the layer: `kernel`, `gamma`, `moving_mean` … */
  local: string;
  /** Position inside `layer.weights` (Keras 3 names weights `<layer>/vars/<index>`). */
  index: number;
  variable: tf.LayerVariable;
  shape: number[];
  size: number;
}

/**
 * Every weight of `model` in layer order, nested models flattened.
 * @example
 * ```ts
 * modelWeights(zoo.resnet18()).map((w) => w.target); // ["conv1/kernel", "bn1/gamma", …, "fc/bias"]
 * ```
 */
export function modelWeights(model: tf.LayersModel): ModelWeight[] {
  const out: ModelWeight[] = [];
  const seen = new Set<tf.LayerVariable>();
  const visit = (layer: tf.layers.Layer): void => {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) {
      inner.forEach(visit);
      return;
    }
    layer.weights.forEach((variable, index) => {
      if (seen.has(variable)) return;
      seen.add(variable);
      const local = variable.originalName.split("/").pop() as string;
      const shape = variable.shape.map((d) => d ?? 0);
      out.push({ target: `${layer.name}/${local}`, layer, local, index, variable, shape, size: shape.reduce((a, b) => a * b, 1) });
    });
  };
  model.layers.forEach(visit);
  return out;
}

/**
 * The torch state-dict names one model weight is made from.
 * @example
 * ```ts
 * const w = modelWeights(graft.zoo.resnet18()).find((m) => m.target === "layer1.0.bn1/moving_mean")!;
 * torchNamesOf(w); // "layer1.0.bn1/moving_mean" → ["layer1.0.bn1.running_mean"]; an LSTM bias → [".bias_ih_l0", ".bias_hh_l0"]
 * ```
 */
export function torchNamesOf(w: ModelWeight): string[] | undefined {
  const rule = torchRule(w.layer.getClassName(), w.local);
  return rule?.torch.map((suffix) => (rule.atRoot ? suffix : `${w.layer.name}.${suffix}`));
}

/** Splits a torch name into module path and parameter: `layer1.0.conv1.weight` → [`layer1.0.conv1`, `weight`]. */
export function splitTorchName(name: string): [string, string] {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? ["", name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** Why a checkpoint name is dropped without counting as unexpected (`num_batches_tracked`), if so. */
export function ignoredReason(name: string): string | undefined {
  return TORCH_IGNORED[splitTorchName(name)[1]];
}

/** Keys a model weight answers to when the source is tfjs/Keras. */
export function tfjsKeysOf(w: ModelWeight): string[] {
  const keys = [w.target, `${w.layer.name}/vars/${w.index}`, `${w.layer.name}/${w.index}`];
  if (w.variable.originalName !== w.target) keys.push(w.variable.originalName);
  return keys;
}

/**
 * Keys to try for a tfjs/Keras checkpoint name, most specific first: without the `:0` suffix,
 * then with leading path segments dropped (`model_weights/dense/dense/kernel` → `dense/kernel`),
 * then without a Keras 2 RNN cell segment (`lstm/lstm_cell/kernel` → `lstm/kernel`).
 * @example
 * ```ts
 * tfjsKeyCandidates("model_weights/dense_1/dense_1/kernel:0"); // [..., "dense_1/kernel"]
 * ```
 */
export function tfjsKeyCandidates(name: string): string[] {
  const parts = name.replace(/:\d+$/, "").split("/").filter((p) => p.length > 0);
  const keys: string[] = [];
  for (let i = 0; i < parts.length - 1; i++) keys.push(parts.slice(i).join("/"));
  const cell = parts.findIndex((p, i) => i > 0 && /_cell(_\d+)?$/.test(p));
  if (cell > 0) keys.push([parts[cell - 1], ...parts.slice(cell + 1)].join("/"));
  if (keys.length === 0) keys.push(parts.join("/"));
  return keys;
}

/**
 * Applies `rename` rules to a checkpoint name, in order; a string pattern replaces its first
 * occurrence, a RegExp follows `String.prototype.replace` (use `$1` and the `g` flag freely).
 * @example
 * ```ts
 * applyRename("backbone.fc.weight", [[/^backbone\./, ""]]); // "fc.weight"
 * ```
 */
export function applyRename(name: string, rules: ReadonlyArray<readonly [RegExp | string, string]> = []): string {
  let out = name;
  for (const [from, to] of rules) out = out.replace(from, to);
  return out;
}

/** Prefixes `stripPrefix: "auto"` tries to remove (or add): DataParallel, wrappers, torch.compile. */
export const KNOWN_PREFIXES = ["module.", "model.", "backbone.", "encoder.", "_orig_mod."] as const;
