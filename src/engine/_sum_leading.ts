/**
 * Sum for the wasm backend, fast path for reductions over the leading axes of a float32
 * tensor: the bias gradients of every conv and dense layer (dy [B, H, W, C] summed to [C]).
 * tfjs-backend-wasm 4.22 first transposes the reduced axes innermost (a full copy, a large part
 * of a step of bench/train-cnn). Here the leading axes are split as [B, R] (B the first) and
 * XNNPACK's average pooling, threaded over B, reduces R as one window of R × 1; the B partial
 * means are then summed on the heap in float64 and scaled by R. Small tensors skip the pooling:
 * a row-wise accumulation over the heap (in float64) is one pass. Every other reduction runs
 * the wasm backend's own Sum.
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
  const batch = axes.length > 1 ? x.shape[0] : 1;
  const window = rows / batch;
  const pooled = rows * cols >= POOLED_FROM && window > 1 ? poolMeans(backend, x, batch, window, cols) : undefined;
  const out = backend.makeOutput(outShape, "float32");
  // Views after the allocation: growing the heap detaches older views.
  const dst = backend.typedArrayFromHeap(out);
  const acc = new Float64Array(cols);
  if (pooled) {
    addRows(backend.typedArrayFromHeap(pooled), batch, cols, acc);
    free(backend, pooled);
    for (let c = 0; c < cols; c++) acc[c] *= window;
  } else {
    addRows(backend.typedArrayFromHeap(x), rows, cols, acc);
  }
  dst.set(acc);
  return out;
}

/** x viewed as [batch, window, 1, cols], averaged over each window: [batch, 1, 1, cols]. */
function poolMeans(backend: HeapBackend, x: Info, batch: number, window: number, cols: number): Info {
  const view = reshape(backend, x, [batch, window, 1, cols]);
  const means = op(backend, "AvgPool", { x: view }, { filterSize: [window, 1], strides: [window, 1], pad: "valid" });
  free(backend, view);
  return means;
}

function addRows(src: Float32Array, rows: number, cols: number, acc: Float64Array): void {
  for (let r = 0, p = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, p++) acc[c] += src[p];
  }
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
