/**
 * freeze / unfreeze / freezeUpTo: set which layers train, and make tfjs honour it.
 *
 * Each call (1) selects leaf layers by {@link Pattern}, (2) sets their `trainable`, (3) makes a
 * frozen BatchNormalization run in inference mode (see `_batchnorm.ts`; `trainBN: true` leaves
 * BatchNormalization layers trainable and in training mode, like fastai's `train_bn`), and
 * (4) refreshes a compiled model's trainable set (see {@link refreshTrainable}), so the next
 * `fit` step trains exactly the trainable weights. Freezing a nested model's layers freezes them
 * wherever that model is used. Calls return the full names of the layers whose state changed;
 * layers without weights (activations, pooling) follow the pattern but are not listed.
 */
import * as tf from "@tensorflow/tfjs";
import { GraftPatternError } from "./errors";
import { _closest } from "./_edit_distance";
import { selectLayers, type Pattern } from "./pattern";
import { refreshTrainable } from "./trainable";
import { _assertModel, _isBatchNorm, _leaves, _normalize, _walk, type LayerNode } from "./_tree";

/** Options of {@link freeze}, {@link freezeUpTo} and {@link freezeTo}. */
export interface FreezeOptions {
  /** Keep BatchNormalization layers trainable (and updating their statistics) inside frozen blocks. Default false. */
  trainBN?: boolean;
}

function checkOptions(fn: string, opts: unknown): FreezeOptions {
  if (opts == null) return {};
  if (typeof opts !== "object") throw new TypeError(`${fn}: options must be an object like { trainBN: true }: got ${typeof opts}`);
  const o = opts as FreezeOptions & { inclusive?: unknown };
  if (o.trainBN !== undefined && typeof o.trainBN !== "boolean") throw new TypeError(`${fn}: trainBN must be a boolean: got ${typeof o.trainBN}`);
  if (o.inclusive !== undefined && typeof o.inclusive !== "boolean") throw new TypeError(`${fn}: inclusive must be a boolean: got ${typeof o.inclusive}`);
  return o;
}

function hasWeights(layer: tf.layers.Layer): boolean {
  return layer.weights.length > 0;
}

/** Sets `trainable` on leaves, then syncs BatchNorm and the compiled trainable set. */
export function _setTrainable(model: tf.LayersModel, leaves: LayerNode[], trainable: boolean, opts: FreezeOptions = {}): string[] {
  _normalize(model);
  const changed: string[] = [];
  for (const n of leaves) {
    if (!trainable && opts.trainBN && _isBatchNorm(n.layer)) continue;
    if (n.layer.trainable === trainable) continue;
    n.layer.trainable = trainable;
    if (hasWeights(n.layer)) changed.push(n.path);
  }
  refreshTrainable(model);
  return changed;
}

/**
 * Freezes the layers `pattern` selects: their weights stop training, a frozen
 * BatchNormalization stops updating its moving statistics.
 * @param model the model (compiled or not).
 * @param pattern glob, RegExp, list of names/globs, or predicate (see {@link Pattern}).
 * @param opts `trainBN`: leave BatchNormalization layers trainable.
 * @returns full names of the layers it froze.
 * @throws {GraftPatternError} when the pattern matches no layer; the error lists the closest names.
 * @example
 * ```ts
 * graft.freeze(model, "!fc");              // everything but the head
 * graft.freeze(model, "layer[1-3].*");     // torchvision resnet blocks 1–3
 * graft.freeze(model, "backbone", { trainBN: true });
 * ```
 */
export function freeze(model: tf.LayersModel, pattern: Pattern, opts?: FreezeOptions): string[] {
  _assertModel(model, "freeze");
  const o = checkOptions("freeze", opts);
  return _setTrainable(model, selectLayers(model, pattern, "freeze"), false, o);
}

/**
 * Unfreezes the layers `pattern` selects (BatchNormalization back to training mode).
 * @returns full names of the layers it unfroze.
 * @throws {GraftPatternError} when the pattern matches no layer.
 * @example
 * ```ts
 * graft.unfreeze(model, "layer4.*");
 * ```
 */
export function unfreeze(model: tf.LayersModel, pattern: Pattern): string[] {
  _assertModel(model, "unfreeze");
  return _setTrainable(model, selectLayers(model, pattern, "unfreeze"), true);
}

/** Finds a layer (or nested model) by its full name, with a helpful error. */
export function _findNode(model: tf.LayersModel, name: string, fn: string): LayerNode {
  if (typeof name !== "string") throw new TypeError(`${fn}: layer name must be a string: got ${typeof name}`);
  const nodes = _walk(model);
  const hit = nodes.find((n) => n.path === name);
  if (hit) return hit;
  const candidates = _closest(name, nodes.map((n) => n.path));
  throw new GraftPatternError(
    `${fn}: model "${model.name}" has no layer named "${name}". Closest layer names: ${candidates.join(", ") || "(none)"}. ` +
      `Nested layers are named "outer/inner"; list every name with graft.layerNames(model).`,
    name,
    candidates,
  );
}

/**
 * Freezes every layer from the model's first up to `layerName` in model order (not after it);
 * nested models count as the run of their layers. Layers after it are left as they are.
 * @param opts `inclusive` (default true): freeze `layerName` itself too; `trainBN` as in {@link freeze}.
 * @returns full names of the layers it froze.
 * @throws {GraftPatternError} when no layer has that name.
 * @example
 * ```ts
 * graft.freezeUpTo(model, "layer3.1.bn2");           // stem, layer1–layer3 frozen
 * graft.freezeUpTo(model, "layer4", { inclusive: false });
 * ```
 */
export function freezeUpTo(model: tf.LayersModel, layerName: string, opts?: FreezeOptions & { inclusive?: boolean }): string[] {
  _assertModel(model, "freezeUpTo");
  const o = checkOptions("freezeUpTo", opts) as FreezeOptions & { inclusive?: boolean };
  const node = _findNode(model, layerName, "freezeUpTo");
  const leaves = _leaves(model);
  const first = leaves.findIndex((n) => n.layer === node.leaves[0]?.layer);
  const last = leaves.findIndex((n) => n.layer === node.leaves[node.leaves.length - 1]?.layer);
  const end = o.inclusive === false ? first : last + 1;
  return _setTrainable(model, leaves.slice(0, Math.max(0, end)), false, o);
}

/**
 * Full names of the frozen layers that hold weights, in model order.
 * @example
 * ```ts
 * graft.freeze(model, "!fc"); graft.frozenLayers(model); // ["conv1", "bn1", …, "layer4.1.bn2"]
 * ```
 */
export function frozenLayers(model: tf.LayersModel): string[] {
  _assertModel(model, "frozenLayers");
  _normalize(model);
  return _leaves(model).filter((n) => !n.layer.trainable && hasWeights(n.layer)).map((n) => n.path);
}
