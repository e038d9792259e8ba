/**
 * Identity for the wasm backend that shares its input's memory, as the cpu and webgl backends'
 * Identity does (reference-counted, like the wasm Reshape), instead of copying it.
 *
 * tfjs clones every tensor a gradient saves for the backward pass (`saveTensorsForBackwardMode`)
 * through this kernel: in bench/train-cnn's step that copied every saved activation, ~5 % of
 * the step. No tfjs kernel and no graft code writes into an existing tensor's memory (outputs
 * are always fresh), so sharing is safe. String tensors keep the wasm backend's own kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { Info } from "./_wasm_ops";

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap };
type RefCountingBackend = tf.KernelBackend & { incRef(dataId: object): void };

function sharedIdentity(args: KernelArgs): Info | undefined {
  const { x } = args.inputs as { x: Info };
  if (x.dtype === "string") return undefined;
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Wraps the wasm backend's Identity (kept for string tensors). */
export function identityConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: original.kernelName,
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => sharedIdentity(args) ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc,
  };
}

/**
 * Wraps the wasm backend's Cast so that a cast to the tensor's own dtype shares its memory like
 * Identity (the cpu backend's does too); the wasm kernel copies. tfjs's ReLU gradient casts the
 * float32 output of Step to float32 on every step.
 */
export function sameTypeCastConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: original.kernelName,
    backendName: "wasm",
    setupFunc: original.setupFunc,
    kernelFunc: ((args: KernelArgs) => ((args.inputs.x as Info).dtype === (args.attrs as unknown as tf.CastAttrs).dtype ? sharedIdentity(args) : undefined)
      ?? original.kernelFunc(args as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc,
  };
}
