/**
 * Private: new float32 tensors of the tfjs wasm backend whose bytes graft writes itself, straight
 * into the backend's heap. A file read lands in the tensor's memory with no JS array between, and
 * the heap reuses the memory of tensors freed before instead of faulting in fresh pages, which is
 * what makes repeated loads as cheap as PyTorch's (`bench/apply.ts`).
 */
import * as tf from "@tensorflow/tfjs";

interface WasmBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  wasm: { asm?: { memory?: unknown }; wasmMemory?: unknown };
}

/** The wasm backend's heap, seen from graft. */
export interface WasmHeap {
  memory: WebAssembly.Memory;
  /** A new float32 tensor of `shape` (contents undefined until written) and the byte offset of its data. */
  alloc(shape: number[]): { tensor: tf.Tensor; ptr: number };
  /** The heap's bytes now (a growing heap replaces the view: ask again after any allocation or await). */
  bytes(): Uint8Array;
  /** The heap as int32 now (same caveat). */
  int32(): Int32Array;
}

/**
 * The heap when the active backend is tfjs's wasm backend, else undefined.
 * @example
 * ```ts
 * const heap = wasmHeap();
 * if (heap) {
 *   const { tensor, ptr } = heap.alloc([2, 3]);
 *   new Float32Array(heap.bytes().buffer, ptr, 6).fill(1); // tensor is now all ones
 * }
 * ```
 */
export function wasmHeap(): WasmHeap | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const backend = tf.backend() as unknown as Partial<WasmBackend>;
  let heap = heaps.get(backend);
  if (heap === undefined) heaps.set(backend, (heap = heapOf(backend) ?? null));
  return heap ?? undefined;
}

/** One WasmHeap per backend instance (`read()` asks for it once per tensor). */
const heaps = new WeakMap<object, WasmHeap | null>();

/**
 * The backend's memory: exported by the unthreaded build (`asm.memory`), imported by the threaded
 * one (`wasmMemory`, a shared memory that other threads may grow).
 */
function heapOf(backend: Partial<WasmBackend>): WasmHeap | undefined {
  const memory = backend.wasm?.asm?.memory ?? backend.wasm?.wasmMemory;
  if (typeof backend.makeOutput !== "function" || !backend.dataIdMap || !(memory instanceof WebAssembly.Memory)) return undefined;
  const b = backend as WasmBackend;
  // Views are rebuilt whenever the memory's buffer changed (it grew), never cached across one.
  let u8 = new Uint8Array(memory.buffer);
  let i32 = new Int32Array(memory.buffer);
  return {
    memory,
    alloc: (shape) => {
      const info = b.makeOutput(shape, "float32");
      const tensor = tf.engine().makeTensorFromTensorInfo(info);
      const data = b.dataIdMap.get(info.dataId);
      if (!data) {
        tensor.dispose();
        throw new Error("tfjs wasm backend lost a tensor it just made");
      }
      return { tensor, ptr: data.memoryOffset };
    },
    bytes: () => (u8.buffer === memory.buffer ? u8 : (u8 = new Uint8Array(memory.buffer))),
    int32: () => (i32.buffer === memory.buffer ? i32 : (i32 = new Int32Array(memory.buffer))),
  };
}

/**
 * A float32 tensor of `shape` whose `byteLength` bytes `fill` writes straight into the heap, or
 * undefined when the backend is not wasm (or the tensor is empty). A failed fill disposes the
 * tensor and rethrows.
 * @param fill writes the bytes into the view `into()` returns (ask again after any await).
 * @example
 * ```ts
 * const fh = await fsOpen("conv1.bin", "r"); // 64·3·7·7 float32 values, raw
 * const t = await heapTensor([64, 3, 7, 7], 37632, async (into) => void (await fh.read(into(), 0, 37632, 0)));
 * await fh.close();
 * ```
 */
export async function heapTensor(shape: number[], byteLength: number, fill: (into: () => Uint8Array) => Promise<void>): Promise<tf.Tensor | undefined> {
  const heap = byteLength > 0 ? wasmHeap() : undefined;
  if (!heap) return undefined;
  const { tensor, ptr } = heap.alloc(shape);
  try {
    await fill(() => heap.bytes().subarray(ptr, ptr + byteLength));
    return tensor;
  } catch (err) {
    tensor.dispose();
    throw err;
  }
}
