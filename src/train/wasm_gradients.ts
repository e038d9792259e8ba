/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks, so that `fit` of convolutional models
 * works on it: Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and
 * DepthwiseConv2dNativeBackpropInput, each composed from wasm kernels that run on XNNPACK.
 */
import * as tf from "@tensorflow/tfjs";
import { conv2DBackpropFilterConfig } from "./_conv_backprop_filter";
import { depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig } from "./_depthwise_backprop";

const CONFIGS = [conv2DBackpropFilterConfig, depthwiseConv2dNativeBackpropFilterConfig, depthwiseConv2dNativeBackpropInputConfig];

/**
 * Registers graft's gradient kernels for the wasm backend. Idempotent, and callable before
 * `tf.setBackend("wasm")` (kernels are looked up by name when they run). Kernels the wasm
 * backend already has (a later tfjs) are left alone.
 * @returns the names of the kernels this call registered (empty when already present).
 * @example
 * ```ts
 * import { installWasmGradients } from "graft";
 * installWasmGradients();                // engine() does this before choosing wasm
 * await tf.setBackend("wasm");
 * tf.grad((w) => tf.conv2d(x, w, 1, "same").sum())(w); // works on wasm now
 * ```
 */
export function installWasmGradients(): string[] {
  const added: string[] = [];
  for (const config of CONFIGS) {
    if (tf.getKernel(config.kernelName, "wasm")) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
