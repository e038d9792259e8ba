/**
 * `zoo.<arch>.transforms()`: the preprocessing torchvision's `weights.transforms()` gives for each
 * architecture's weights, as `data.transforms.imageClassification`. The presets are the weights
 * registry's (src/hub, torchvision 0.14's tables), so `DEFAULT` follows torchvision: ResNet50 and
 * MobileNetV2 default to their IMAGENET1K_V2 weights, trained with a resize of 232 before the crop.
 */
import { imageClassification } from "../data/presets";
import type { Transform } from "../data/transform";
import { listWeights, weightsEntry } from "../hub/registry";

/** Options of `zoo.<arch>.transforms()`. */
export interface ZooTransformsOptions {
  /** Which weights' preprocessing (torchvision's enum member name); default `"DEFAULT"`. */
  weights?: string;
}

/**
 * The `transforms()` function attached to the zoo builder of `arch`.
 * @param arch a torchvision builder name with registry entries (`resnet18`, `convnext_tiny`, …)
 * @returns `(opts?) => Transform`: resize → centerCrop → toTensor → normalize, as torchvision's preset
 * @example
 * ```ts
 * const t = graft.zoo.resnet18.transforms();
 * console.log(String(t)); // compose([resize(256), centerCrop(224), toTensor(), normalize(…)])
 * const v2 = graft.zoo.resnet50.transforms({ weights: "IMAGENET1K_V2" }); // resize(232)
 * ```
 */
export function presetTransforms(arch: string): (opts?: ZooTransformsOptions) => Transform {
  listWeights(arch); // an architecture without registry entries fails here, when the zoo loads
  return function transforms(opts: ZooTransformsOptions = {}): Transform {
    if (opts === null || typeof opts !== "object") throw new TypeError(`zoo.${arch}.transforms(opts): opts must be an object like { weights: "DEFAULT" }`);
    const unknown = Object.keys(opts).filter((k) => k !== "weights");
    if (unknown.length) throw new TypeError(`zoo.${arch}.transforms: unknown option ${unknown.join(", ")}; known: weights`);
    const p = weightsEntry(arch, opts.weights ?? "DEFAULT").transforms;
    return imageClassification({ cropSize: p.cropSize, resizeSize: p.resizeSize, interpolation: p.interpolation, ...(p.mean ? { mean: [...p.mean], std: [...(p.std ?? [])] } : {}) });
  };
}
