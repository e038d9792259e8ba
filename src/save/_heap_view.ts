/**
 * Private: a variable's values without a copy where the backend allows it — a view of the wasm
 * heap (valid until tfjs next allocates, so use it synchronously), else `dataSync()`.
 */
import * as tf from "@tensorflow/tfjs";
import type { Values } from "./_transpose";

interface HeapBackend {
  typedArrayFromHeap(info: { shape: number[]; dtype: string; dataId: object }): Float32Array | Int32Array;
}

/** The values of `t` (float32 or int32), as a heap view on wasm, as `dataSync()` elsewhere. */
export function weightValues(t: tf.Tensor): Values {
  const b = tf.backend() as unknown as Partial<HeapBackend>;
  if ((t.dtype === "float32" || t.dtype === "int32") && typeof b.typedArrayFromHeap === "function" && tf.getBackend() === "wasm") {
    return b.typedArrayFromHeap({ shape: t.shape, dtype: t.dtype, dataId: t.dataId });
  }
  return t.dataSync() as Values;
}

/** True when `x` lies in the wasm heap (not owned by the caller). */
export function isHeapView(x: Values): boolean {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return tf.getBackend() === "wasm" && !!b.wasm?.HEAPU8 && x.buffer === b.wasm.HEAPU8.buffer;
}
