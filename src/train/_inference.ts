/**
 * The one way graft's training code runs a model in inference mode: natively (ONNX Runtime) when
 * it can; else on tfjs with the convolution chains fused; else tfjs's own forward pass. All three
 * give the same outputs to float rounding.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeForward } from "../native";
import { fusedForward } from "../fused";

const fits = (model: tf.LayersModel, x: tf.Tensor) => {
  const shape = model.inputs[0].shape;
  return x.rank === shape.length && shape.every((d, i) => d == null || d === x.shape[i]);
};

/** `model`'s inference-mode output for the batch `x` (owned by the caller, as is the result). */
export function forward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  // tfjs's predict checks the input against the model and names the shapes when they differ
  if (model.inputs.length !== 1 || !fits(model, x)) return model.predict(x) as tf.Tensor;
  const fast = nativeForward(model) ?? fusedForward(model);
  return fast ? fast(x) : (model.apply(x, { training: false }) as tf.Tensor);
}
