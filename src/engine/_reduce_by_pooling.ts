/**
 * Sum and Mean for the wasm backend, fast path for float32 reductions over a block of
 * consecutive axes that is not innermost: the bias gradients of every conv and dense layer
 * (dy [B, H, W, C] summed to [C]) and global average pooling (mean over H, W).
 * tfjs-backend-wasm 4.22 first transposes the reduced axes innermost (a full copy, a large part
 * of a step of bench/train-cnn). Here x is viewed as [A, R, 1, C'] (A the axes before the block,
 * R the block, C' the axes after it) and XNNPACK's average pooling, threaded over A, reduces
 * R as one window of R × 1. A leading block is split as [B, R / B] on its first axis, for the
 * threads, and the B partial means are then added on the heap in float64. Small tensors of a
 * leading block skip the pooling (a row-wise accumulation in float64 is one pass); every other
 * reduction runs the wasm backend's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { Backend, Info, free, op, reshape } from "./_wasm_ops";

/** Below this many elements the pooling's setup costs more than the JavaScript loop. */
const POOLED_FROM = 1 << 16;

type HeapBackend = Backend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type Mode = "sum" | "mean";

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function reduceByPooling(args: KernelArgs, mode: Mode): Info | undefined {
  const backend = args.backend as HeapBackend;
  const { x } = args.inputs as { x: Info };
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const rank = x.shape.length;
  if (x.dtype !== "float32" || rank < 2) return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => a !== axes[0] + i)) return undefined;
  const first = axes[0], last = axes[axes.length - 1];
  if (last === rank - 1) return undefined;
  const outer = product(x.shape.slice(0, first));
  const window = product(x.shape.slice(first, last + 1));
  const cols = product(x.shape.slice(last + 1));
  if (window < 2) return undefined;
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  if (first === 0) return leading(backend, x, axes.length > 1 ? x.shape[0] : 1, window, cols, outShape, mode);
  if (outer * window * cols < POOLED_FROM) return undefined;
  const means = poolMeans(backend, x, outer, window, cols);
  if (mode === "mean") {
    const out = reshape(backend, means, outShape);
    free(backend, means);
    return out;
  }
  const out = backend.makeOutput(outShape, "float32");
  // Views after the allocation: growing the heap detaches older views.
  const src = backend.typedArrayFromHeap(means), dst = backend.typedArrayFromHeap(out);
  for (let i = 0; i < dst.length; i++) dst[i] = src[i] * window;
  free(backend, means);
  return out;
}

/** A leading block of `rows` rows of `cols`, pooled as `batch` windows of rows / batch. */
function leading(backend: HeapBackend, x: Info, batch: number, rows: number, cols: number, outShape: number[], mode: Mode): Info {
  const window = rows / batch;
  const pooled = rows * cols >= POOLED_FROM && window > 1 ? poolMeans(backend, x, batch, window, cols) : undefined;
  const out = backend.makeOutput(outShape, "float32");
  const dst = backend.typedArrayFromHeap(out);
  const acc = new Float64Array(cols);
  let scale: number;
  if (pooled) {
    addRows(backend.typedArrayFromHeap(pooled), batch, cols, acc);
    free(backend, pooled);
    scale = mode === "sum" ? window : 1 / batch;
  } else {
    addRows(backend.typedArrayFromHeap(x), rows, cols, acc);
    scale = mode === "sum" ? 1 : 1 / rows;
  }
  for (let c = 0; c < cols; c++) dst[c] = acc[c] * scale;
  return out;
}

/** x viewed as [outer, window, 1, cols], averaged over each window: [outer, 1, 1, cols]. */
function poolMeans(backend: HeapBackend, x: Info, outer: number, window: number, cols: number): Info {
  const view = reshape(backend, x, [outer, window, 1, cols]);
  const means = op(backend, "AvgPool", { x: view }, { filterSize: [window, 1], strides: [window, 1], pad: "valid" });
  free(backend, view);
  return means;
}

function addRows(src: Float32Array, rows: number, cols: number, acc: Float64Array): void {
  for (let r = 0, p = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, p++) acc[c] += src[p];
  }
}

/** Wraps the wasm backend's Sum or Mean (kept, with its setup, for every other reduction). */
export function reductionConfig(original: tf.KernelConfig, mode: Mode): tf.KernelConfig {
  return {
    kernelName: original.kernelName,
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => reduceByPooling(args, mode) ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc,
  };
}
