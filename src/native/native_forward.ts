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
    let session: NativeSessionHandle;
    try {
      session = openSession(exported.bytes, exported.input, exported.output);
    } catch (err) {
      structural.set(model, `ONNX Runtime did not load the exported model (${firstLine(err)})`);
      return undefined;
    }
    entry = { weights, session };
    entries.set(model, entry);
  }
  const session = entry.session!;
  const tfjs = (x: tf.Tensor) => model.apply(x, { training: false }) as tf.Tensor;
  return (x) => {
    if (!fits(model, x)) return model.predict(x) as tf.Tensor; // tfjs's own error names the shapes
    const input = x.dtype === "float32" ? x : tf.cast(x, "float32");
    let out: { data: Float32Array; dims: readonly number[] };
    try {
      out = session.run(input.dataSync() as Float32Array, input.shape);
    } catch (err) {
      // Never fail the user's step for the runtime's sake: tfjs computes the same, from now on.
      structural.set(model, `ONNX Runtime failed on a batch (${firstLine(err)})`);
      session.dispose();
      entries.delete(model);
      return tfjs(x);
    } finally {
      if (input !== x) input.dispose();
    }
    return tf.tensor(out.data, out.dims as number[], "float32");
  };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n")[0];

/** Why `model` runs on tfjs rather than natively, or undefined when it runs natively (after a first call). */
export function nativeReason(model: tf.LayersModel): string | undefined {
  const runtime = nativeRuntime();
  if (!runtime.available) return runtime.reason;
  return structural.get(model);
}
