/**
 * Sum for the wasm backend, fast path for reductions over the leading axes of a float32
 * tensor: the bias gradients of every conv and dense layer (dy [B, H, W, C] summed to [C]).
 * tfjs-backend-wasm 4.22 first transposes the reduced axes innermost (a full copy, a large part
 * of a step of bench/train-cnn); a row-wise accumulation over the heap (in float64) is
 * one pass. Every other reduction runs the wasm backend's own Sum.
 */
import * as tf from "@tensorflow/tfjs";
import { Info } from "./_wasm_ops";

type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function leadingSum(args: KernelArgs): Info | undefined {
  const backend = args.backend as HeapBackend;
  const { x } = args.inputs as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  if (x.dtype !== "float32" || x.shape.length < 2) return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.length === x.shape.length || axes.some((a, i) => a !== i)) return undefined;
  const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
  const rest = x.shape.slice(axes.length);
  const cols = rest.reduce((a, b) => a * b, 1);
  if (rows < 2) return undefined;
  const outShape = keepDims ? [...axes.map(() => 1), ...rest] : rest;
  const out = backend.makeOutput(outShape, "float32");
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const acc = new Float64Array(cols);
  for (let r = 0, p = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, p++) acc[c] += src[p];
  }
  dst.set(acc);
  return out;
}

/** Wraps the wasm backend's Sum (kept, with its setup, for every other reduction). */
export function sumConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Sum,
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => leadingSum(args) ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc,
  };
}
