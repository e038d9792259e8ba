/**
 * Every tfjs internal graft touches, in one list, checked once against the pinned tfjs version.
 *
 * graft fixes tfjs traps (freezing after compile, BatchNorm statistics drifting, optimizer slots)
 * and adds what its wasm backend lacks (gradient kernels, in-place tensors); both need members
 * that are not part of tfjs's public API. They are named here so that a tfjs upgrade is one
 * review of this list: {@link assertTfjsInternals} runs when graft is loaded and fails with a
 * clear error, naming each missing member, if the installed tfjs is not the one graft was
 * written against or lacks one of them.
 */
import * as tf from "@tensorflow/tfjs";
import { GraftError } from "./errors";

/** The tfjs release graft's internals were checked against (package.json pins it). */
export const TFJS_VERSION = "4.22.0";

/** One internal: what it is, who uses it and why. */
export interface TfjsInternal {
  member: string;
  usedBy: string;
  why: string;
}

/** The list: keep it complete; the test of this module checks each member on the pinned tfjs. */
export const TFJS_INTERNALS: readonly TfjsInternal[] = [
  { member: "Layer.trainable_", usedBy: "src/freeze/_tree.ts", why: "set a container's own flag without tfjs cascading it to every child" },
  { member: "Layer._trainableWeights / _nonTrainableWeights", usedBy: "src/freeze/_tree.ts", why: "a layer's weights as created, to count frozen ones" },
  { member: "Layer.inboundNodes[].inboundLayers / inputTensors / outputTensors", usedBy: "src/train/_frozen_prefix.ts, src/native/onnx_export.ts", why: "walk a functional model's graph to find the frozen prefix, or to export it to ONNX" },
  { member: "LayersModel.stopTraining_ / isTraining / history / collectedTrainableWeights (forwarded)", usedBy: "src/train/_untaped_prefix.ts", why: "the untaped twin a fit trains shares the model's training state" },
  { member: "LayersModel.collectedTrainableWeights / checkTrainableWeightsConsistency", usedBy: "src/freeze/trainable.ts", why: "freezing after compile takes effect in the next fit, with optimizer slots aligned" },
  { member: "LayersModel.metrics (compile args)", usedBy: "src/train/fit.ts", why: "compile the cached-features head as the user compiled the model" },
  { member: "Optimizer.iterations_", usedBy: "src/freeze/trainable.ts", why: "tell whether an optimizer already has slots" },
  { member: "Optimizer.applyGradients (wrapped per instance)", usedBy: "src/freeze/lr_factors.ts", why: "discriminative learning rates" },
  { member: "BatchNormalization.call (wrapped per instance)", usedBy: "src/freeze/_batchnorm.ts", why: "a frozen BatchNorm runs in inference mode during fit" },
  { member: "engine().registeredVariables, engine().makeTensorFromTensorInfo", usedBy: "src/freeze/lr_factors.ts, src/load/_fast/heap_tensor.ts, src/checkpoint/_wasm_heap.ts", why: "variables by name; tensors over memory graft filled itself" },
  { member: "wasm backend: makeOutput, typedArrayFromHeap, incRef, dataIdMap, wasm.asm.memory / wasm.HEAPU8", usedBy: "src/load/_fast/heap_tensor.ts, src/checkpoint/_wasm_heap.ts, src/engine/_wasm_ops.ts, src/native/native_conv_kernels.ts", why: "read checkpoints straight into tensor memory; gradient kernels on the heap; native convolutions copy their operands off it" },
  { member: "kernel registry: registerKernel / unregisterKernel for wasm Sum, Mean, GatherV2, Identity, MaxPoolGrad, Conv2DBackpropInput", usedBy: "src/engine/wasm_gradients.ts", why: "replace wasm kernels that are slow or missing in this release, for the whole process" },
  { member: "cpu backend firstUse", usedBy: "src/engine/engine.ts", why: "silence tfjs's cpu-backend banner" },
];

function problems(): string[] {
  const out: string[] = [];
  if (tf.version_core !== TFJS_VERSION) out.push(`@tensorflow/tfjs-core is ${tf.version_core}, graft was written against ${TFJS_VERSION}`);
  const dense = tf.layers.dense({ units: 1 }) as unknown as Record<string, unknown>;
  for (const m of ["trainable_", "_trainableWeights", "_nonTrainableWeights", "inboundNodes"]) if (!(m in dense)) out.push(`Layer.${m}`);
  // prototypes and unbuilt layers only: nothing here may create a tensor (and so pick a backend)
  const model = tf.LayersModel.prototype as unknown as Record<string, unknown>;
  if (typeof model.checkTrainableWeightsConsistency !== "function") out.push("LayersModel.checkTrainableWeightsConsistency");
  // the stopTraining accessor is tfjs's public face of stopTraining_
  if (typeof Object.getOwnPropertyDescriptor(tf.LayersModel.prototype, "stopTraining")?.set !== "function") out.push("LayersModel.stopTraining_");
  const bn = tf.layers.batchNormalization() as unknown as Record<string, unknown>;
  if (typeof bn.call !== "function") out.push("BatchNormalization.call");
  const opt = tf.SGDOptimizer.prototype as unknown as Record<string, unknown>;
  if (typeof opt.applyGradients !== "function") out.push("Optimizer.applyGradients");
  const engine = tf.engine() as unknown as Record<string, unknown>;
  if (typeof engine.makeTensorFromTensorInfo !== "function") out.push("engine().makeTensorFromTensorInfo");
  if (!("registeredVariables" in engine)) out.push("engine().registeredVariables");
  return out;
}

/**
 * Checks the installed tfjs against {@link TFJS_INTERNALS}; throws when a member is missing or the
 * version differs from the pinned one. Runs when graft is loaded.
 * @throws {GraftError} naming the version and every missing member
 * @example
 * ```ts
 * assertTfjsInternals(); // silent on tfjs 4.22.0
 * ```
 */
export function assertTfjsInternals(): void {
  const found = problems();
  if (found.length === 0) return;
  throw new GraftError(`graft cannot run on this tfjs: ${found.join("; ")}. ` +
    `graft relies on the tfjs internals listed in src/_tfjs_private.ts; install @tensorflow/tfjs@${TFJS_VERSION} (package.json pins it)`);
}
