/**
 * A model's inference on ONNX Runtime, behind one function: exported once, kept while its
 * weights are the same tensors (tfjs gives a variable new data on every assignment, so a load,
 * a training step or `setWeights` re-exports it on the next call), else undefined and tfjs runs.
 */
import * as tf from "@tensorflow/tfjs";
import { toOnnx } from "./onnx_export";
import { nativeRuntime, openSession, type NativeSessionHandle } from "./runtime";

interface Entry {
  weights: object[];
  session?: NativeSessionHandle;
  reason?: string;
}

const entries = new WeakMap<tf.LayersModel, Entry>();
const structural = new WeakMap<tf.LayersModel, string>();

const dataIds = (model: tf.LayersModel) => model.weights.map((w) => (w.read() as unknown as { dataId: object }).dataId);

function fits(model: tf.LayersModel, x: tf.Tensor): boolean {
  const shape = model.inputs[0].shape;
  return x.rank === shape.length && shape.every((d, i) => d == null || d === x.shape[i]) && x.shape[0] > 0;
}

/**
 * `model`'s forward pass in inference mode on ONNX Runtime, or undefined (then use tfjs) when the
 * runtime is absent or the model has a layer that isn't translated ({@link nativeReason} says which).
 */
export function nativeForward(model: tf.LayersModel): ((x: tf.Tensor) => tf.Tensor) | undefined {
  if (!nativeRuntime().available || structural.has(model)) return undefined;
  const weights = dataIds(model);
  let entry = entries.get(model);
  if (!entry || entry.weights.length !== weights.length || entry.weights.some((w, i) => w !== weights[i])) {
    entry?.session?.dispose();
    const exported = toOnnx(model);
    if (!exported.ok) {
      structural.set(model, exported.reason);
      return undefined;
    }
    entry = { weights, session: openSession(exported.bytes, exported.input, exported.output) };
    entries.set(model, entry);
  }
  const session = entry.session!;
  return (x) => {
    if (!fits(model, x)) return model.predict(x) as tf.Tensor; // tfjs's own error names the shapes
    const input = x.dtype === "float32" ? x : tf.cast(x, "float32");
    const out = session.run(input.dataSync() as Float32Array, input.shape);
    if (input !== x) input.dispose();
    return tf.tensor(out.data, out.dims as number[], "float32");
  };
}

/** Why `model` runs on tfjs rather than natively, or undefined when it runs natively (after a first call). */
export function nativeReason(model: tf.LayersModel): string | undefined {
  const runtime = nativeRuntime();
  if (!runtime.available) return runtime.reason;
  return structural.get(model);
}
