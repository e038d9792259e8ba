/**
 * ONNX Runtime for Node (the optional `onnxruntime-node` package, whose npm tarball carries its
 * CPU binaries), reached through its native binding so that a run is synchronous: graft runs it
 * inside tfjs's synchronous training step. Absent, broken or switched off (`GRAFT_NATIVE=0`),
 * graft computes everything on tfjs and says why in `nativeRuntime().reason`.
 */
import { engine } from "../engine/engine";

/** What `onnxruntime-node`'s binding offers (onnxruntime-node 1.30, `dist/binding.js`). */
interface Binding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, unknown>, options: object): Record<string, { data: Float32Array; dims: readonly number[] }>;
  dispose(): void;
}
type TensorClass = new (type: "float32", data: Float32Array, dims: readonly number[]) => unknown;

/** Whether native inference is available, the runtime's version, threads, and the reason. */
export interface NativeRuntimeInfo {
  available: boolean;
  version?: string;
  threads?: number;
  reason: string;
}

let loaded: { binding: Binding; Tensor: TensorClass; version: string } | undefined;
let info: NativeRuntimeInfo | undefined;

function load(): NativeRuntimeInfo {
  if (process.env.GRAFT_NATIVE === "0") return { available: false, reason: "GRAFT_NATIVE=0: inference and training's convolutions run on tfjs" };
  try {
    const ort = require("onnxruntime-node") as { Tensor: TensorClass; env: { versions: { node?: string; common: string } } };
    const binding = require("onnxruntime-node/dist/binding") as Binding;
    binding.initOrt();
    loaded = { binding, Tensor: ort.Tensor, version: ort.env.versions.node ?? ort.env.versions.common };
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return { available: false, reason: `onnxruntime-node is not installed or did not load (${message}): inference of frozen layers and training's convolutions run on tfjs; \`npm install onnxruntime-node\` makes them faster` };
  }
  const threads = engine().threads;
  return { available: true, version: loaded.version, threads, reason: `ONNX Runtime ${loaded.version} (onnxruntime-node), ${threads} thread${threads === 1 ? "" : "s"}: inference of frozen layers runs natively, and so do the large convolutions of wasm training steps` };
}

/**
 * Whether graft can run inference on ONNX Runtime, and why (or why not).
 * @example
 * ```ts
 * console.log(graft.nativeRuntime().reason);
 * ```
 */
export function nativeRuntime(): NativeRuntimeInfo {
  info ??= load();
  return info;
}

/** A loaded ONNX model: `run` maps a float32 input to the float32 output, synchronously. */
export interface NativeSessionHandle {
  run(input: Float32Array, dims: readonly number[]): { data: Float32Array; dims: readonly number[] };
  dispose(): void;
}

/** A float32 tensor passed to or returned by a session. */
export interface NativeTensor { data: Float32Array; dims: readonly number[] }

/** A loaded ONNX graph of several float32 inputs and one float32 output. */
export interface NativeGraphHandle {
  /** Runs the graph; with `into` (the output's exact size, not on a shared buffer) the output is written there. */
  run(inputs: readonly NativeTensor[], into?: NativeTensor): NativeTensor;
  dispose(): void;
}

/** How a session uses memory: a model's session keeps its arena; a kernel's, of which there are many, doesn't. */
export interface SessionMemory { arena: boolean }

/**
 * Loads ONNX `bytes` with inputs named `inputs` into a session on the engine's thread count.
 * @throws Error when the runtime is unavailable (check {@link nativeRuntime} first) or rejects the model
 */
export function openGraph(bytes: Uint8Array, inputs: readonly string[], output: string, memory: SessionMemory = { arena: true }): NativeGraphHandle {
  const runtime = nativeRuntime();
  if (!runtime.available || !loaded) throw new Error(runtime.reason);
  const { binding, Tensor } = loaded;
  const session = new binding.binding.InferenceSession();
  session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {
    intraOpNumThreads: runtime.threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential",
    enableCpuMemArena: memory.arena, enableMemPattern: memory.arena,
    // Its threads must not spin between runs: tfjs's threads compute the head in between.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
  return {
    run(values, into) {
      const feeds: Record<string, unknown> = {};
      values.forEach((v, i) => { feeds[inputs[i]] = new Tensor("float32", v.data, v.dims); });
      const out = session.run(feeds, { [output]: into ? new Tensor("float32", into.data, into.dims) : null }, {})[output];
      return into ?? { data: out.data, dims: out.dims };
    },
    dispose: () => session.dispose(),
  };
}

/**
 * Loads ONNX `bytes` (from `toOnnx`) into a session on the engine's thread count.
 * @throws Error when the runtime is unavailable (check {@link nativeRuntime} first) or rejects the model
 */
export function openSession(bytes: Uint8Array, input: string, output: string): NativeSessionHandle {
  const graph = openGraph(bytes, [input], output);
  return {
    run: (data, dims) => graph.run([{ data, dims }]),
    dispose: () => graph.dispose(),
  };
}
