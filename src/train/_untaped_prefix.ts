/**
 * Training with the frozen prefix off the gradient tape: what PyTorch's `requires_grad = False`
 * gives for free.
 *
 * tfjs's fit records every op of the forward pass on the tape, and keeps every layer's output
 * until the step ends, frozen layers included: for a frozen resnet18 at 32 × 224² that is about
 * 3 GiB per step, where PyTorch keeps the head's few tensors. So when the model's frozen layers form
 * a prefix that {@link findCut} accepts (one whose inference-mode outputs are its training-mode
 * outputs: no Dropout, BatchNorm frozen by graft), `fit` trains a twin of the model instead: one
 * layer that runs the whole prefix in inference mode inside `tf.customGrad` (nothing taped, its
 * intermediates freed as it goes), then the model's own trainable layers. The twin shares the
 * model's layers, optimizer, loss, metrics, trainable-weight list (graft keeps that list in step
 * with freezing), stop flag and history, so fitting it is fitting the model; the result is the one
 * `model.fit` gives, in less memory. If a prefix layer is unfrozen during the fit (an unfreeze
 * schedule), the prefix runs on the tape from that step on, so it trains.
 */
import * as tf from "@tensorflow/tfjs";
import { GraftCacheError } from "./errors";
import { adaptAccuracy } from "./_labels";
import { noLogitsWarning } from "./_loss_check";
import { cutFor } from "./_fit_common";
import type { Cut } from "./_frozen_prefix";

/** The frozen prefix as one layer: untaped in inference mode while every weight in it stays frozen. */
class FrozenPrefix extends tf.layers.Layer {
  private readonly prefixWeights: tf.LayerVariable[];
  private readonly untaped: (x: tf.Tensor) => tf.Tensor;

  constructor(private readonly features: tf.LayersModel) {
    super({ name: `${features.name}_untaped`, trainable: false });
    this.prefixWeights = features.weights;
    this.untaped = tf.customGrad(((x: tf.Tensor) => ({
      value: features.apply(x, { training: false }) as tf.Tensor,
      // Never reached in fit (the input is data, not derived from a variable); a stop-gradient.
      gradFunc: (dy: tf.Tensor) => tf.zerosLike(x),
    })) as unknown as (x: tf.Tensor) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor }) as (x: tf.Tensor) => tf.Tensor;
  }

  override computeOutputShape(): tf.Shape {
    return this.features.outputs[0].shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs.training && this.prefixWeights.some((w) => w.trainable)) return this.features.apply(x, kwargs) as tf.Tensor;
    return this.untaped(x);
  }

  /** The prefix's regularisation penalties, which tfjs's fit adds to the loss (constants here). */
  override calculateLosses(): tf.Scalar[] {
    return this.features.calculateLosses();
  }

  static override className = "GraftFrozenPrefix";
}

/** What tfjs's fit reads and writes on the model it trains, forwarded from the twin to the model. */
const SHARED_STATE = ["collectedTrainableWeights", "stopTraining_", "isTraining", "history"] as const;

const twins = new WeakMap<Cut, tf.LayersModel>();

function twinFor(model: tf.LayersModel, cut: Cut): tf.LayersModel {
  const known = twins.get(cut);
  if (known) return known;
  const [input] = model.inputs;
  const x = tf.input({ batchShape: input.shape, dtype: input.dtype, name: `${model.inputNames[0]}` });
  let t = new FrozenPrefix(cut.features).apply(x) as tf.SymbolicTensor;
  for (const l of cut.suffix) t = l.apply(t) as tf.SymbolicTensor;
  const twin = tf.model({ inputs: x, outputs: t, name: model.name });
  noLogitsWarning(twin);
  twins.set(cut, twin);
  return twin;
}

/**
 * The model to call tfjs's `fit`/`fitDataset` on for training `model`: its untaped twin, compiled
 * like it, when its frozen layers form a prefix that can run untaped; else `model` itself.
 */
export function trainerFor(model: tf.LayersModel): tf.LayersModel {
  if (!model.optimizer || model.isTraining) return model; // tfjs's own errors say to compile, or that a fit is running
  let cut: Cut | undefined;
  try {
    cut = cutFor(model);
  } catch (err) {
    if (err instanceof GraftCacheError) return model; // not a clean frozen prefix: tfjs's fit as is
    throw err;
  }
  if (!cut) return model;
  // A Sequential trains through its inner model, which holds the state fit uses.
  const owner = ((model as unknown as { model?: tf.LayersModel }).model ?? model) as unknown as Record<string, unknown>;
  const twin = twinFor(model, cut);
  for (const key of SHARED_STATE) delete (twin as unknown as Record<string, unknown>)[key]; // compile must not write through to the model
  twin.compile({ optimizer: model.optimizer, loss: model.loss, metrics: (model as unknown as { metrics?: string[] }).metrics });
  adaptAccuracy(twin);
  for (const key of SHARED_STATE) {
    Object.defineProperty(twin, key, { configurable: true, get: () => owner[key], set: (v) => { owner[key] = v; } });
  }
  const own = owner.checkTrainableWeightsConsistency as (() => void) | undefined;
  (twin as unknown as { checkTrainableWeightsConsistency: () => void }).checkTrainableWeightsConsistency = () => own?.call(owner);
  return twin;
}
