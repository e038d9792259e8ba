/**
 * Layer groups and fastai-style `freezeTo`.
 *
 * Default groups: consecutive layers that share the first segment of their full name (split at
 * `.` and `/`) form a group, so a torchvision ResNet splits into `conv1`, `bn1`, `layer1` …
 * `layer4`, `fc`, and a `backbone` nested model plus a head into `backbone` and the head's layers.
 * Groups without weights (activations, pooling) are dropped. Pass `groups` to choose your own.
 */
import * as tf from "@tensorflow/tfjs";
import { _describe, selectLayers, type Pattern } from "./pattern";
import { _setTrainable, type FreezeOptions } from "./freeze";
import { _assertModel, _leaves, type LayerNode } from "./_tree";

/** One group: a name and its leaf layers' full names. */
export interface LayerGroup {
  name: string;
  layers: string[];
}

/** @internal groups with their nodes. */
export function _groups(model: tf.LayersModel, groups?: Pattern[]): { name: string; nodes: LayerNode[] }[] {
  if (groups !== undefined) {
    if (!Array.isArray(groups)) throw new TypeError(`layer groups must be an array of patterns: got ${typeof groups}`);
    return groups.map((g) => ({ name: typeof g === "string" ? g : _describe(g), nodes: selectLayers(model, g, "layerGroups") }));
  }
  const out: { name: string; nodes: LayerNode[] }[] = [];
  for (const n of _leaves(model)) {
    const key = n.path.split(/[./]/)[0];
    const last = out[out.length - 1];
    if (last && last.name === key) last.nodes.push(n);
    else out.push({ name: key, nodes: [n] });
  }
  return out.filter((g) => g.nodes.some((n) => n.layer.weights.length > 0));
}

/**
 * The model's layer groups, first to last (see above).
 * @param groups optional patterns, one per group, to use instead of the default split.
 * @example
 * ```ts
 * const resnet = graft.zoo.resnet18();
 * graft.layerGroups(resnet).map((g) => g.name); // ["conv1", "bn1", "layer1", "layer2", "layer3", "layer4", "fc"]
 * ```
 */
export function layerGroups(model: tf.LayersModel, groups?: Pattern[]): LayerGroup[] {
  _assertModel(model, "layerGroups");
  return _groups(model, groups).map((g) => ({ name: g.name, layers: g.nodes.map((n) => n.path) }));
}

/** Index where the trainable groups start, for `n` as fastai's `freeze_to(n)` reads it. */
export function _groupStart(fn: string, n: number, count: number): number {
  if (!Number.isInteger(n)) throw new TypeError(`${fn}: n must be an integer group index (negative counts from the end): got ${n}`);
  if (n > count || n < -count) throw new RangeError(`${fn}: n must lie in [-${count}, ${count}] for a model with ${count} layer groups: got ${n}`);
  return n < 0 ? count + n : n;
}

/**
 * fastai's `freeze_to(n)`: freezes groups `[0, n)` and unfreezes groups `[n, end)`; a negative
 * `n` counts from the end, so `freezeTo(model, -1)` trains the last group only.
 * @param opts `groups`: patterns to use as groups; `trainBN`: keep BatchNormalization trainable in frozen groups.
 * @returns full names of the layers whose state changed (frozen or unfrozen).
 * @throws {RangeError} when `n` is outside `[-groups, groups]`.
 * @example
 * ```ts
 * graft.freezeTo(model, -1);  // only the head trains
 * graft.freezeTo(model, -2);  // head and layer4
 * ```
 */
export function freezeTo(model: tf.LayersModel, n: number, opts: FreezeOptions & { groups?: Pattern[] } = {}): string[] {
  _assertModel(model, "freezeTo");
  const groups = _groups(model, opts.groups);
  const start = _groupStart("freezeTo", n, groups.length);
  const frozen = _setTrainable(model, groups.slice(0, start).flatMap((g) => g.nodes), false, opts);
  const unfrozen = _setTrainable(model, groups.slice(start).flatMap((g) => g.nodes), true);
  return [...frozen, ...unfrozen];
}
