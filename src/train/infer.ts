/**
 * `infer`: what `model.predict` computes, on the fastest engine graft has: ONNX Runtime when
 * onnxruntime-node is installed and every layer of the model has a translation (see
 * `graft.nativeRuntime()`), else tfjs. The outputs agree to float rounding (~1e-6 relative).
 */
import * as tf from "@tensorflow/tfjs";
import { ready } from "../engine/engine";
import { forward } from "./_inference";

/** Options of {@link infer}. */
export interface InferOptions {
  /** Images per forward pass (default 32, as `model.predict`). */
  batchSize?: number;
}

/**
 * The model's inference-mode outputs for the batch `x` (Dropout off, BatchNorm on its moving
 * statistics), computed `batchSize` items at a time.
 * @param model a single-input, single-output LayersModel
 * @param x the inputs, batch first (e.g. [n, 224, 224, 3] for the zoo's models)
 * @param opts `batchSize` (32)
 * @returns a new tensor [n, …output]; dispose it when done
 * @example
 * ```ts
 * const model = graft.zoo.resnet18({ seed: 0 });
 * const logits = await graft.infer(model, tf.randomNormal([4, 224, 224, 3]));
 * logits.shape; // [4, 1000]
 * ```
 */
export async function infer(model: tf.LayersModel, x: tf.Tensor, opts: InferOptions = {}): Promise<tf.Tensor> {
  await ready();
  if (!(model instanceof tf.LayersModel)) throw new TypeError("graft.infer(model, x): model must be a tfjs LayersModel");
  if (!(x instanceof tf.Tensor) || x.rank < 1) throw new TypeError("graft.infer(model, x): x must be a tensor with the batch as its first axis");
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`graft.infer: batchSize must be a positive integer; got ${batchSize}`);
  const n = x.shape[0];
  if (n <= batchSize) return tf.tidy(() => forward(model, x));
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      parts.push(tf.tidy(() => forward(model, x.slice(start, Math.min(batchSize, n - start)))));
    }
    return tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}
