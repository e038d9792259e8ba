/**
 * The one way graft's training code runs a model in inference mode: natively (ONNX Runtime) when
 * it can, else tfjs's own forward pass. Both give the same outputs to float rounding.
 */
import * as tf from "@tensorflow/tfjs";
import { nativeForward } from "../native";

/** `model`'s inference-mode output for the batch `x` (owned by the caller, as is the result). */
export function forward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const native = nativeForward(model);
  return native ? native(x) : (model.apply(x, { training: false }) as tf.Tensor);
}
