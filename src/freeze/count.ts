/**
 * Parameter counts in graft's terms (ARCHITECTURE.md §3): *trainable* = weights the optimizer updates;
 * *frozen* = weights that would be trainable but are frozen; *nonTrainable* = never trainable
 * (BatchNormalization moving statistics). PyTorch equivalents: trainable = Σ numel of parameters
 * with `requires_grad`, frozen = the others, nonTrainable = buffers `running_mean`/`running_var`
 * (tfjs has no `num_batches_tracked`).
 */
import * as tf from "@tensorflow/tfjs";
import { _assertModel, _isFrozenNode, _leaves, _ownWeights } from "./_tree";

/** One layer's counts; `name` is the full name (`backbone/conv1` inside nested models). */
export interface LayerParams {
  name: string;
  className: string;
  trainable: number;
  frozen: number;
  nonTrainable: number;
}

/** Model totals plus one row per leaf layer (nested models' layers included). */
export interface ParamCounts {
  trainable: number;
  frozen: number;
  nonTrainable: number;
  total: number;
  layers: LayerParams[];
}

function size(w: tf.LayerVariable): number {
  return w.shape.reduce((a: number, b) => a * (b ?? 0), 1);
}

/**
 * Counts the parameters of `model` as trainable, frozen and nonTrainable, per layer. Weights
 * shared between layers are counted once, at their first layer.
 * @param model a built model.
 * @returns totals and per-layer rows in model order.
 * @example
 * ```ts
 * graft.freeze(model, "!fc");
 * const c = graft.countParams(model); // { trainable: 5130, frozen: 11176512, nonTrainable: 9600, total: …, layers }
 * ```
 */
export function countParams(model: tf.LayersModel): ParamCounts {
  _assertModel(model, "countParams");
  const seen = new Set<tf.LayerVariable>();
  const layers: LayerParams[] = [];
  for (const node of _leaves(model)) {
    const { trainable, nonTrainable } = _ownWeights(node.layer);
    const row: LayerParams = { name: node.path, className: node.layer.getClassName(), trainable: 0, frozen: 0, nonTrainable: 0 };
    const frozenLayer = _isFrozenNode(node);
    for (const w of trainable) {
      if (seen.has(w)) continue;
      seen.add(w);
      if (frozenLayer || !w.trainable) row.frozen += size(w);
      else row.trainable += size(w);
    }
    for (const w of nonTrainable) {
      if (seen.has(w)) continue;
      seen.add(w);
      row.nonTrainable += size(w);
    }
    layers.push(row);
  }
  const sum = (k: "trainable" | "frozen" | "nonTrainable") => layers.reduce((a, r) => a + r[k], 0);
  const trainable = sum("trainable");
  const frozen = sum("frozen");
  const nonTrainable = sum("nonTrainable");
  return { trainable, frozen, nonTrainable, total: trainable + frozen + nonTrainable, layers };
}
