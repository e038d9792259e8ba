/**
 * GatherV2 for the wasm backend, fast path for gathers of long contiguous slices: the batches
 * that `fit` takes from its inputs (rows of x [N, H, W, C] by index). tfjs-backend-wasm 4.22
 * copies them element by element (a large part of a step of bench/train-cnn under `fit`);
 * each slice here is one copy on the heap. Short slices and `batchDims` run the wasm kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { Info } from "./_wasm_ops";

/** Below this many elements a slice copies faster in the wasm kernel's loop. */
const SLICE_FROM = 256;

type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
  readSync(dataId: object): tf.backend_util.BackendValues;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };

function gatherSlices(args: KernelArgs): Info | undefined {
  const backend = args.backend as HeapBackend;
  const { x, indices } = args.inputs as { x: Info; indices: Info };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  if (batchDims !== 0 || x.dtype === "string" || x.dtype === "complex64") return undefined;
  const at = tf.util.parseAxisParam(axis, x.shape)[0];
  const slice = x.shape.slice(at + 1).reduce((a, b) => a * b, 1);
  if (slice < SLICE_FROM) return undefined;
  const outer = x.shape.slice(0, at).reduce((a, b) => a * b, 1);
  const dim = x.shape[at];
  const index = backend.readSync(indices.dataId) as Int32Array;
  for (const i of index) {
    // the wasm kernel's own check and message
    tf.util.assert(i <= dim - 1 && i >= 0, () => `GatherV2: the index value ${i} is not in [0, ${dim - 1}]`);
  }
  const out = backend.makeOutput([...x.shape.slice(0, at), ...indices.shape, ...x.shape.slice(at + 1)], x.dtype);
  // Views after the allocation: growing the heap detaches older views.
  const src = backend.typedArrayFromHeap(x), dst = backend.typedArrayFromHeap(out);
  for (let o = 0, q = 0; o < outer; o++) {
    for (let j = 0; j < index.length; j++, q += slice) {
      const p = (o * dim + index[j]) * slice;
      dst.set(src.subarray(p, p + slice), q);
    }
  }
  return out;
}

/** Wraps the wasm backend's GatherV2 (kept, with its setup, for every other gather). */
export function gatherConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: original.kernelName,
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => gatherSlices(args) ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc,
  };
}
