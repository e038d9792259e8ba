/**
 * Private: what every zoo builder is — build an architecture from its options, or, given
 * `weights`, build it and load the named pretrained weights (a Promise); plus `.transforms()`.
 */
import type * as tf from "@tensorflow/tfjs";
import type { Transform } from "../data/transform";
import type { PretrainedOptions, ZooOptions } from "./options";
import { presetTransforms, type ZooTransformsOptions } from "./transforms";
import { withWeights, type PretrainedModel } from "./_weights";

/** A zoo builder: `graft.zoo.resnet18(opts)` and its siblings. */
export interface ZooBuilderFn {
  /** With `weights`: builds, then loads the named pretrained weights through PyTorch's hub cache. */
  (opts: PretrainedOptions): Promise<PretrainedModel>;
  /** Builds the architecture with fresh (optionally seeded) weights. */
  (opts?: ZooOptions): tf.LayersModel;
  /** torchvision's `<Arch>_Weights.<weights>.transforms()` (default `DEFAULT`). */
  transforms(opts?: ZooTransformsOptions): Transform;
}

/**
 * The builder of torchvision's `arch`, exported as `exportName`, from the function that builds it.
 * @example
 * ```ts
 * const tiny = zooBuilder("resnet18", "resnet18", (opts) => graft.zoo.resnet18(opts));
 * tiny({ numClasses: 2 }).outputs[0].shape; // [null, 2]
 * ```
 */
export function zooBuilder(arch: string, exportName: string, build: (opts?: ZooOptions) => tf.LayersModel): ZooBuilderFn {
  const fn = ((opts?: ZooOptions) =>
    opts?.weights !== undefined ? withWeights(arch, opts as PretrainedOptions, build) : build(opts)) as ZooBuilderFn;
  Object.defineProperty(fn, "name", { value: exportName });
  fn.transforms = presetTransforms(arch);
  return fn;
}
