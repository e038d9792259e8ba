/**
 * `zoo.<arch>.transforms()`: the preprocessing torchvision's `weights.transforms()` gives for
 * each architecture's weights (torchvision 0.14's tables), as `data.transforms.imageClassification`.
 * `DEFAULT` follows torchvision: ResNet50 and MobileNetV2 default to their IMAGENET1K_V2 weights,
 * trained with a resize of 232 (not 256) before the 224 crop.
 */
import { imageClassification } from "../data/presets";
import type { Transform } from "../data/transform";

interface Preset { cropSize: number; resizeSize: number; mean?: number[]; std?: number[] }

const V1: Preset = { cropSize: 224, resizeSize: 256 };
const V2: Preset = { cropSize: 224, resizeSize: 232 };

/** Per architecture: its weights' presets, `DEFAULT` pointing at torchvision's default weights. */
export const WEIGHTS_TRANSFORMS: Readonly<Record<string, Readonly<Record<string, Preset>>>> = {
  resnet18: { IMAGENET1K_V1: V1, DEFAULT: V1 },
  resnet34: { IMAGENET1K_V1: V1, DEFAULT: V1 },
  resnet50: { IMAGENET1K_V1: V1, IMAGENET1K_V2: V2, DEFAULT: V2 },
  mobilenetV2: { IMAGENET1K_V1: V1, IMAGENET1K_V2: V2, DEFAULT: V2 },
  vgg11: { IMAGENET1K_V1: V1, DEFAULT: V1 },
  vgg16: {
    IMAGENET1K_V1: V1, DEFAULT: V1,
    // The Caffe-ported features: mean-subtracted 0–255 inputs, as torchvision lists them.
    IMAGENET1K_FEATURES: { cropSize: 224, resizeSize: 256, mean: [0.48235, 0.45882, 0.40784], std: [1 / 255, 1 / 255, 1 / 255] },
  },
};

/** Options of `zoo.<arch>.transforms()`. */
export interface ZooTransformsOptions {
  /** Which weights' preprocessing (torchvision's enum member name); default `"DEFAULT"`. */
  weights?: string;
}

/**
 * The `transforms()` function attached to the zoo builder `arch`.
 * @param arch a key of {@link WEIGHTS_TRANSFORMS}
 * @returns `(opts?) => Transform`: resize → centerCrop → toTensor → normalize, as torchvision's preset
 * @example
 * ```ts
 * const t = graft.zoo.resnet18.transforms();
 * console.log(String(t)); // compose([resize(256), centerCrop(224), toTensor(), normalize(…)])
 * const v2 = graft.zoo.resnet50.transforms({ weights: "IMAGENET1K_V2" }); // resize(232)
 * ```
 */
export function presetTransforms(arch: string): (opts?: ZooTransformsOptions) => Transform {
  const table = WEIGHTS_TRANSFORMS[arch];
  if (!table) throw new Error(`no transforms preset for zoo.${arch}`);
  return function transforms(opts: ZooTransformsOptions = {}): Transform {
    if (opts === null || typeof opts !== "object") throw new TypeError(`zoo.${arch}.transforms(opts): opts must be an object like { weights: "DEFAULT" }`);
    const unknown = Object.keys(opts).filter((k) => k !== "weights");
    if (unknown.length) throw new TypeError(`zoo.${arch}.transforms: unknown option ${unknown.join(", ")}; known: weights`);
    const weights = opts.weights ?? "DEFAULT";
    const preset = table[weights];
    if (!preset) {
      throw new RangeError(`zoo.${arch}.transforms: no weights named "${weights}"; torchvision's ${arch} weights are ${Object.keys(table).join(", ")}`);
    }
    return imageClassification({ cropSize: preset.cropSize, resizeSize: preset.resizeSize, ...(preset.mean ? { mean: preset.mean, std: preset.std } : {}) });
  };
}
