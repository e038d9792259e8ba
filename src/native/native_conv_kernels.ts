/**
 * The convolutions of a wasm training step on ONNX Runtime: graft wraps the wasm backend's
 * Conv2D, Conv2DBackpropFilter and Conv2DBackpropInput so that a large enough convolution runs
 * as a one-kernel ONNX graph (`_conv_graphs.ts`) on the runtime's AVX2/AVX-512 kernels, which on
 * bench/train-cnn's shapes are 1.5–4× faster than XNNPACK under wasm SIMD. The rest of the
 * step, and every other model, stays on tfjs.
 *
 * Deterministic: which path computes a convolution depends only on its shapes, never on
 * timing. Small ones (under {@link MIN_MACS} multiply-adds, where a call's overhead and the
 * copies cost more than they save) and forward passes on few input channels (where XNNPACK was
 * measured faster) stay on wasm. Sessions are kept per geometry, without memory arenas (many
 * small sessions must not each keep their peak). Any failure of the runtime sends that
 * geometry back to the wasm kernel for good: a training step never fails for the runtime's sake.
 */
import * as tf from "@tensorflow/tfjs";
import { installWasmGradients } from "../engine/wasm_gradients";
import { filterGradGraph, forwardGraph, inputGradGraph } from "./_conv_graphs";
import { nativeRuntime, openGraph, type NativeGraphHandle } from "./runtime";

type Info = tf.TensorInfo;
type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
};
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type ConvAttrs = { strides: number | [number, number]; pad: tf.Conv2DAttrs["pad"]; dataFormat: "NHWC" | "NCHW"; dimRoundingMode?: "floor" | "round" | "ceil"; dilations?: number | [number, number] };

/** Below this many multiply-adds a convolution stays on wasm. */
export const MIN_MACS = 1 << 22;
/** Forward convolutions on fewer input channels stay on wasm (XNNPACK's direct kernel wins there). */
const MIN_FORWARD_CHANNELS = 8;
/** Geometries kept at once; the oldest session is closed beyond it. */
const MAX_SESSIONS = 64;
/** Marks a wrapper and names the kernel function it wraps, so re-installing (here or in the engine) keeps it. */
export const WRAPS = Symbol.for("graft.nativeConvWraps");

let minMacs = MIN_MACS;
/** Test hook: the size from which convolutions go native (tests use 0 to cover every geometry). */
export function setNativeConvMinMacs(macs: number): void {
  minMacs = macs;
}

/** A geometry's session and the buffers its operands are copied through (kept: allocating them each step made V8 collect garbage). */
interface Entry { handle: NativeGraphHandle; buffers?: Float32Array[] }
/** Bytes of kept buffers, all sessions together; beyond it a call allocates its own. */
const MAX_BUFFER_BYTES = 256 * 2 ** 20;
let bufferBytes = 0;

const sessions = new Map<string, Entry | null>();
let nativeCalls = 0;
/** How many convolution kernels ran natively so far (for tests and `%engine`). */
export function nativeConvCalls(): number {
  return nativeCalls;
}

function close(entry: Entry | null | undefined): void {
  if (!entry) return;
  entry.handle.dispose();
  for (const b of entry.buffers ?? []) bufferBytes -= b.byteLength;
  entry.buffers = undefined;
}

function session(key: string, build: () => Uint8Array | undefined, inputs: readonly string[], output: string): Entry | undefined {
  if (sessions.has(key)) {
    const hit = sessions.get(key)!;
    sessions.delete(key);
    sessions.set(key, hit); // most recently used last
    return hit ?? undefined;
  }
  let entry: Entry | null = null;
  try {
    const bytes = build();
    if (bytes) entry = { handle: openGraph(bytes, inputs, output, { arena: false }) };
  } catch {
    entry = null;
  }
  sessions.set(key, entry);
  while (sessions.size > MAX_SESSIONS) {
    const [oldest, e] = sessions.entries().next().value as [string, Entry | null];
    close(e);
    sessions.delete(oldest);
  }
  return entry ?? undefined;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The entry's buffers for `inputs` and the output, kept when the budget allows. */
function buffersOf(entry: Entry, inputs: readonly Info[], outShape: readonly number[]): Float32Array[] {
  if (entry.buffers) return entry.buffers;
  const buffers = [...inputs.map((i) => new Float32Array(size(i.shape))), new Float32Array(size(outShape))];
  const bytes = buffers.reduce((n, b) => n + b.byteLength, 0);
  if (bufferBytes + bytes <= MAX_BUFFER_BYTES) {
    entry.buffers = buffers;
    bufferBytes += bytes;
  }
  return buffers;
}

/** Runs the graph of `key` on `inputs` (copied off the shared wasm heap, which the runtime can't read), or undefined. */
function runNative(backend: HeapBackend, key: string, build: () => Uint8Array | undefined, names: readonly string[], output: string,
  inputs: readonly Info[], outShape: readonly number[]): Info | undefined {
  const entry = session(key, build, names, output);
  if (!entry) return undefined;
  const buffers = buffersOf(entry, inputs, outShape);
  let ok = true;
  try {
    const feeds = inputs.map((i, k) => {
      buffers[k].set(backend.typedArrayFromHeap(i));
      return { data: buffers[k], dims: i.shape };
    });
    entry.handle.run(feeds, { data: buffers[inputs.length], dims: outShape });
  } catch {
    ok = false;
  }
  if (!ok) {
    close(entry);
    sessions.set(key, null);
    return undefined;
  }
  const info = backend.makeOutput([...outShape], "float32");
  backend.typedArrayFromHeap(info).set(buffers[inputs.length]); // a view made after the allocation, which may grow the heap
  nativeCalls++;
  return info;
}

const macs = (i: tf.backend_util.Conv2DInfo) => i.batchSize * i.outHeight * i.outWidth * i.outChannels * i.filterHeight * i.filterWidth * i.inChannels;

function geometry(inShape: number[], filterShape: number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo | undefined {
  if (attrs.dataFormat === "NCHW" || inShape.length !== 4 || filterShape.length !== 4) return undefined;
  const info = tf.backend_util.computeConv2DInfo(inShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, "channelsLast");
  const { top, bottom, left, right } = info.padInfo;
  if (Math.min(top, bottom, left, right, info.outHeight, info.outWidth) < 0 || macs(info) < minMacs || macs(info) === 0) return undefined;
  return info;
}

const keyOf = (kernel: string, i: tf.backend_util.Conv2DInfo) => `${kernel} ${JSON.stringify([i.batchSize, i.inHeight, i.inWidth, i.inChannels,
  i.outChannels, i.filterHeight, i.filterWidth, i.strideHeight, i.strideWidth, i.dilationHeight, i.dilationWidth, i.padInfo])}`;

const float32 = (...infos: Info[]) => infos.every((i) => i.dtype === "float32");

type Native = (args: KernelArgs) => Info | undefined;

const natives: Record<string, Native> = {
  [tf.Conv2D]: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: Info; filter: Info };
    const i = float32(x, filter) ? geometry(x.shape, filter.shape, attrs as unknown as ConvAttrs) : undefined;
    if (!i || i.inChannels < MIN_FORWARD_CHANNELS) return undefined;
    return runNative(backend as HeapBackend, keyOf("fwd", i), () => forwardGraph(i), ["x", "w"], "y", [x, filter], i.outShape);
  },
  [tf.Conv2DBackpropFilter]: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: Info; dy: Info };
    const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
    const i = float32(x, dy) ? geometry(x.shape, a.filterShape, a) : undefined;
    if (!i || i.outShape.some((d, k) => d !== dy.shape[k])) return undefined;
    return runNative(backend as HeapBackend, keyOf("dw", i), () => filterGradGraph(i), ["x", "dy"], "dw", [x, dy], a.filterShape);
  },
  [tf.Conv2DBackpropInput]: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
    const i = float32(dy, filter) ? geometry(a.inputShape, filter.shape, a) : undefined;
    if (!i || i.outShape.some((d, k) => d !== dy.shape[k])) return undefined;
    return runNative(backend as HeapBackend, keyOf("dx", i), () => inputGradGraph(i), ["dy", "w"], "dx", [dy, filter], a.inputShape);
  },
};

function wrap(original: tf.KernelConfig, native: Native): tf.KernelConfig {
  const kernelFunc = ((args: KernelArgs) => {
    if (nativeRuntime().available) {
      const out = native(args);
      if (out) return out;
    }
    return original.kernelFunc(args as Parameters<tf.KernelFunc>[0]);
  }) as unknown as tf.KernelFunc;
  (kernelFunc as unknown as Record<symbol, unknown>)[WRAPS] = original.kernelFunc;
  return { ...original, kernelFunc };
}

/**
 * Wraps the wasm backend's convolution kernels (after graft's own gradient kernels) so that
 * large convolutions run on ONNX Runtime where it is installed. Idempotent; with `GRAFT_NATIVE=0`
 * or without onnxruntime-node the wrappers call the wasm kernels.
 * @returns the names of the kernels this call wrapped
 */
export function installNativeConvKernels(): string[] {
  installWasmGradients();
  const wrapped: string[] = [];
  for (const [name, native] of Object.entries(natives)) {
    const original = tf.getKernel(name, "wasm");
    if (!original || (original.kernelFunc as unknown as Record<symbol, unknown>)[WRAPS]) continue;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(wrap(original, native));
    wrapped.push(name);
  }
  return wrapped;
}
