/**
 * Gradient kernels for the tfjs wasm backend, so that `fit` of convolutional models works on
 * it and runs at XNNPACK speed: Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and
 * DepthwiseConv2dNativeBackpropInput, which tfjs-backend-wasm 4.22 lacks, plus a faster
 * Conv2DBackpropInput and MaxPoolGrad (4.22 has them as slow loops, which dominated a
 * training step) and fast paths of Sum and Mean (bias gradients, global pooling), GatherV2
 * (the batches of `fit`), Identity and same-dtype Cast (shared, not copied: the tensors gradients
 * save, ReLU's mask), and Sum's and Mean's gradients without JavaScript-built ones. Each is
 * composed from wasm kernels or is one loop over the wasm heap.
 *
 * Threads: graft starts tfjs's threaded SIMD build in Node (`_wasm_threaded.ts`), whose heap is
 * a shared, growing memory; these kernels make their heap views after their own allocations
 * (through the backend's `typedArrayFromHeap`, whose view graft keeps current), so they are
 * correct on both builds, and the composed ones use the pool through the kernels they call.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./_conv_backprop_filter";
import { conv2DBackpropInputConfig } from "./_conv_backprop_input";
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig } from "./_depthwise_backprop";
import { maxPoolGradConfig } from "./_max_pool_grad";
import { gatherConfig } from "./_gather_slices";
import { identityConfig, sameTypeCastConfig } from "./_identity";
import { reductionConfig } from "./_reduce_by_pooling";
import { meanGradient, sumGradient } from "./_reduce_gradients";

/** Registered only where the wasm backend has none (a later tfjs may bring its own). */
const MISSING = [conv2DBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig];
/** Registered in place of the wasm backend's own, which is measured slower. */
const FASTER = [conv2DBackpropInputConfig, maxPoolGradConfig];
/** Marks graft's wrappers, so a second install leaves them alone. */
const WRAPPED = Symbol.for("graft.wasmFastPath");
/** What a native wrapper (src/native) names as the kernel it wraps: graft's kernel, then still installed. */
const WRAPS = Symbol.for("graft.nativeConvWraps");
/** Kernels graft wraps with a fast path, keeping the wasm backend's own for other cases. */
const WRAPPERS: Array<[string, (original: tf.KernelConfig) => tf.KernelConfig]> = [
  [tf.Sum, (k) => reductionConfig(k, "sum")],
  [tf.Mean, (k) => reductionConfig(k, "mean")],
  [tf.GatherV2, gatherConfig],
  [tf.Identity, identityConfig],
  [tf.Cast, sameTypeCastConfig],
];

/**
 * Registers graft's gradient kernels for the wasm backend. Idempotent, and callable before
 * `tf.setBackend("wasm")` (kernels are looked up by name when they run).
 * @returns the names of the kernels this call registered (empty when already installed).
 * @example
 * ```ts
 * installWasmGradients();                // graft's engine does this when it chooses wasm
 * await graft.ready();
 * const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
 * const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
 * const dw = tf.grad((w) => tf.conv2d(x, w as tf.Tensor4D, 1, "same").sum())(w); // works on wasm now
 * ```
 */
export function installWasmGradients(): string[] {
  // The backend registers its kernels when its module loads; load it first, so that its
  // registrations never overwrite graft's.
  require("@tensorflow/tfjs-backend-wasm");
  const added: string[] = [];
  for (const config of [...MISSING, ...FASTER]) {
    const present = tf.getKernel(config.kernelName, "wasm");
    if (present && (present.kernelFunc === config.kernelFunc || (present.kernelFunc as unknown as Record<symbol, unknown>)[WRAPS] === config.kernelFunc)) continue;
    if (present && MISSING.includes(config)) continue;
    if (present) tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  // Gradients are looked up by kernel name when a step runs; tfjs's own are registered at its load.
  for (const config of [sumGradient, meanGradient]) {
    if (tf.getGradient(config.kernelName) === config) continue;
    tf.registerGradient(config);
    added.push(`${config.kernelName} gradient`);
  }
  for (const [name, wrap] of WRAPPERS) {
    const original = tf.getKernel(name, "wasm");
    if (!original || (original.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]) continue;
    const config = wrap(original);
    (config.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED] = true;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
    added.push(name);
  }
  return added;
}
