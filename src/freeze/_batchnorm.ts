/**
 * Frozen BatchNormalization runs in inference mode.
 *
 * tfjs-layers 4.22 (`layers/normalization.ts`, `BatchNormalization.call`) normalises with batch
 * statistics and updates `moving_mean`/`moving_variance` whenever `kwargs.training` is true,
 * whatever `trainable` says. Keras (since TF 2) runs a non-trainable BatchNormalization in
 * inference mode. graft gives a frozen BatchNormalization an own `call` that passes
 * `training: false` while the layer is not trainable (checked at each call, so a later
 * `layer.trainable = true` is honoured too); unfreezing through graft removes it again.
 */
import type * as tf from "@tensorflow/tfjs";
import { _isBatchNorm, _leaves, _normalize } from "./_tree";

const ORIGINAL = Symbol.for("graft.freeze.batchNormCall");

type CallFn = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
type Patchable = tf.layers.Layer & { call: CallFn; [ORIGINAL]?: CallFn | null };

/** Installs or removes the inference-mode `call` of one BatchNormalization to match its `trainable`. */
export function _syncBatchNorm(layer: tf.layers.Layer): void {
  if (!_isBatchNorm(layer)) return;
  const l = layer as Patchable;
  const wrapped = Object.prototype.hasOwnProperty.call(l, ORIGINAL);
  if (!l.trainable && !wrapped) {
    const own = Object.prototype.hasOwnProperty.call(l, "call") ? l.call : null;
    const base: CallFn = own ?? (Object.getPrototypeOf(l) as Patchable).call;
    l[ORIGINAL] = own;
    l.call = function (this: Patchable, inputs, kwargs) {
      return base.call(this, inputs, this.trainable ? kwargs : { ...kwargs, training: false });
    };
  } else if (l.trainable && wrapped) {
    const own = l[ORIGINAL];
    delete l[ORIGINAL];
    if (own) l.call = own;
    else delete (l as Partial<Patchable>).call;
  }
}

/** True when graft made this BatchNormalization run in inference mode. */
export function _isInferenceBatchNorm(layer: tf.layers.Layer): boolean {
  return Object.prototype.hasOwnProperty.call(layer, ORIGINAL);
}

/** Puts freezing state on leaves and syncs every BatchNormalization of `model` with it. */
export function _prepare(model: tf.LayersModel): void {
  _normalize(model);
  for (const n of _leaves(model)) _syncBatchNorm(n.layer);
}
