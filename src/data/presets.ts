/** imageClassification: torchvision's `transforms._presets.ImageClassification`, what a classification weight's `transforms()` returns. */
import type { Interpolation } from "./_resample";
import { centerCrop, resize } from "./geometry_transforms";
import { normalize, toTensor } from "./tensor_transforms";
import { compose, type Transform } from "./transform";

/** ImageNet's per-channel mean, as torchvision uses it. */
export const IMAGENET_MEAN: readonly number[] = Object.freeze([0.485, 0.456, 0.406]);
/** ImageNet's per-channel standard deviation, as torchvision uses it. */
export const IMAGENET_STD: readonly number[] = Object.freeze([0.229, 0.224, 0.225]);

/** Options of {@link imageClassification}, named as torchvision's. */
export interface ImageClassificationOptions {
  cropSize: number;
  resizeSize?: number;
  interpolation?: Interpolation;
  mean?: readonly number[];
  std?: readonly number[];
}

/**
 * resize(resizeSize) → centerCrop(cropSize) → toTensor → normalize(mean, std), as torchvision's
 * `ImageClassification(crop_size=…, resize_size=256)` preset.
 * @param opts `cropSize` (required), `resizeSize` (256), `interpolation` ("bilinear"), `mean`/`std` (ImageNet's)
 * @returns a deterministic Transform from image to normalised tensor
 * @example
 * ```ts
 * const t = graft.data.transforms.imageClassification({ cropSize: 224 });
 * console.log(String(t)); // compose([resize(256), centerCrop(224), toTensor(), normalize(…)])
 * ```
 */
export function imageClassification(opts: ImageClassificationOptions): Transform {
  if (opts === null || typeof opts !== "object") throw new TypeError("Cannot build imageClassification: pass { cropSize, resizeSize?, interpolation?, mean?, std? }");
  const known = ["cropSize", "resizeSize", "interpolation", "mean", "std"];
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length) throw new TypeError(`Cannot build imageClassification: unknown option ${unknown.join(", ")}; known: ${known.join(", ")}`);
  return compose([
    resize(opts.resizeSize ?? 256, { interpolation: opts.interpolation ?? "bilinear" }),
    centerCrop(opts.cropSize),
    toTensor(),
    normalize([...(opts.mean ?? IMAGENET_MEAN)], [...(opts.std ?? IMAGENET_STD)]),
  ]);
}
