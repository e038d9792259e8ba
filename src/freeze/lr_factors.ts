/**
 * Discriminative learning rates on unmodified tfjs optimizers.
 *
 * Scaling gradients would be wrong for Adam-like optimizers (their step ignores the gradient's
 * scale), so graft scales the *step* instead: the optimizer instance gets an own `applyGradients`
 * that remembers the variables of scaled groups, lets the optimizer step as usual, then sets
 * `v = before + factor·(after − before)`. For every tfjs 4.22 optimizer the step is linear in the
 * learning rate and the slots (moments, accumulators) do not depend on it, so this equals training
 * those variables with `factor × learningRate`. The prototype is never touched.
 */
import * as tf from "@tensorflow/tfjs";
import { selectLayers, type Pattern } from "./pattern";
import { _assertModel, _ownWeights } from "./_tree";

const tables = new WeakMap<tf.Optimizer, Map<string, number>>();

type Grads = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

function install(optimizer: tf.Optimizer): Map<string, number> {
  let table = tables.get(optimizer);
  if (table) return table;
  table = new Map();
  tables.set(optimizer, table);
  const factors = table;
  const base = optimizer.applyGradients;
  optimizer.applyGradients = function (this: tf.Optimizer, grads: Grads): void {
    const names = Array.isArray(grads)
      ? grads.filter((g) => g.tensor != null).map((g) => g.name)
      : Object.keys(grads).filter((k) => grads[k] != null);
    const scaled = names.filter((n) => (factors.get(n) ?? 1) !== 1);
    const vars = tf.engine().registeredVariables;
    const before = scaled.map((n) => tf.clone(vars[n]));
    base.call(this, grads);
    tf.tidy(() => scaled.forEach((n, i) => vars[n].assign(tf.add(before[i], tf.mul(tf.sub(vars[n], before[i]), factors.get(n)!)))));
    tf.dispose(before);
  };
  return table;
}

/** Sets the factor of the given variables (by tf.Variable name) on `optimizer`. */
export function _setFactors(optimizer: tf.Optimizer, variables: tf.LayerVariable[], factor: number): void {
  const table = install(optimizer);
  for (const v of variables) table.set(v.name, factor);
}

/**
 * Gives layer groups their own learning rate: each selected layer's weights step with
 * `factor × learningRate` of `optimizer` (fastai's discriminative learning rates).
 * Later entries win where patterns overlap.
 * @param optimizer the tfjs optimizer instance (e.g. `model.optimizer` after compile).
 * @param model the model whose layers the patterns address.
 * @param factors `[pattern, factor]` pairs, or an object from glob to factor.
 * @returns the factor of each affected layer, by full name.
 * @example
 * ```ts
 * graft.setLearningRateFactors(model.optimizer, model, { "layer3.*": 0.1, "layer4.*": 0.3 });
 * ```
 */
export function setLearningRateFactors(
  optimizer: tf.Optimizer,
  model: tf.LayersModel,
  factors: Array<[Pattern, number]> | Record<string, number>,
): Record<string, number> {
  if (optimizer == null || typeof (optimizer as tf.Optimizer).applyGradients !== "function") {
    throw new TypeError("setLearningRateFactors expects a tfjs optimizer (e.g. model.optimizer after compile) as its first argument");
  }
  _assertModel(model, "setLearningRateFactors");
  const pairs: Array<[Pattern, number]> = Array.isArray(factors) ? factors : Object.entries(factors ?? {});
  const out: Record<string, number> = {};
  for (const [pattern, factor] of pairs) {
    if (typeof factor !== "number" || !Number.isFinite(factor) || factor < 0) {
      throw new RangeError(`setLearningRateFactors: factor for ${String(pattern)} must be a finite number >= 0: got ${factor}`);
    }
    for (const n of selectLayers(model, pattern, "setLearningRateFactors")) {
      const own = _ownWeights(n.layer);
      _setFactors(optimizer, own.trainable, factor);
      if (own.trainable.length) out[n.path] = factor;
    }
  }
  return out;
}
