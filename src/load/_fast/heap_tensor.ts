/**
 * Private: a new float32 tensor whose values are written in place. On the wasm backend the
 * tensor's memory is allocated in the wasm heap first and filled through a view of it, so
 * converted weights are written once instead of being built in JS and then copied in.
 * Elsewhere it is a JS array handed to `tf.tensor` (which the cpu backend keeps as is).
 */
import * as tf from "@tensorflow/tfjs";

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
}

/** The wasm backend and its memory (exported by the unthreaded build, imported and shared by the threaded one). */
function wasmBackend(): { b: WasmBackendLike; memory: WebAssembly.Memory } | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const b = tf.backend() as unknown as Partial<WasmBackendLike>;
  const memory = b.wasm?.asm?.memory ?? b.wasm?.wasmMemory;
  if (typeof b.makeOutput !== "function" || !b.dataIdMap || !(memory instanceof WebAssembly.Memory)) return undefined;
  return { b: b as WasmBackendLike, memory };
}

/**
 * A float32 tensor of `shape` whose values `fill` writes. `fill` must not allocate tfjs
 * memory (the heap view would go stale when the heap grows); it only runs plain JS loops.
 */
export function filledTensor(shape: number[], fill: (out: Float32Array) => void): tf.Tensor {
  const wasm = wasmBackend();
  if (!wasm || shape.some((d) => d === 0)) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    fill(values);
    return tf.tensor(values, shape, "float32");
  }
  const info = wasm.b.makeOutput(shape, "float32");
  const tensor = tf.engine().makeTensorFromTensorInfo(info);
  try {
    // The view is made after the allocation, from the memory's current buffer.
    const offset = wasm.b.dataIdMap.get(info.dataId)!.memoryOffset;
    fill(new Float32Array(wasm.memory.buffer, offset, tf.util.sizeFromShape(shape)));
  } catch (err) {
    tensor.dispose();
    throw err;
  }
  return tensor;
}
