/** The geometric transforms: resize, centerCrop, randomResizedCrop, randomHorizontalFlip (torchvision 0.14 on PIL images). */
import type { Interpolation } from "./_resample";
import type { Range } from "./_transform_spec";
import { makeTransform, type Transform } from "./transform";

const INTERPOLATIONS: Interpolation[] = ["bilinear", "bicubic", "nearest"];

function checkInterpolation(fn: string, v: unknown): Interpolation {
  if (!INTERPOLATIONS.includes(v as Interpolation)) throw new TypeError(`Cannot build ${fn}: interpolation must be one of ${INTERPOLATIONS.map((s) => `"${s}"`).join(", ")}, got ${JSON.stringify(v)}`);
  return v as Interpolation;
}

function checkSide(fn: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new RangeError(`Cannot build ${fn}: sizes must be integers ≥ 1, got ${JSON.stringify(v)}`);
  return v as number;
}

/** An int (square, or the shorter side for resize) or [height, width]. */
function checkSize(fn: string, size: unknown): number | [number, number] {
  if (Array.isArray(size)) {
    if (size.length === 1) return checkSide(fn, size[0]);
    if (size.length !== 2) throw new RangeError(`Cannot build ${fn}: size must be a number or [height, width], got ${JSON.stringify(size)}`);
    return [checkSide(fn, size[0]), checkSide(fn, size[1])];
  }
  return checkSide(fn, size);
}

const square = (s: number | [number, number]): [number, number] => (typeof s === "number" ? [s, s] : s);

/**
 * torchvision's `Resize`: an int resizes the shorter side to it and the longer to
 * `int(size · long / short)`; `[h, w]` resizes to exactly that. Pixels equal PIL's
 * `Image.resize` (antialiased, fixed point, 8-bit rounding) for all three interpolations.
 * @param size shorter side, or [height, width]
 * @param opts `interpolation`: "bilinear" (default), "bicubic" or "nearest"
 * @returns a Transform on images
 * @example
 * ```ts
 * const small = graft.data.transforms.resize(256)(await graft.data.readImage("cat.jpg"));
 * ```
 */
export function resize(size: number | [number, number], opts: { interpolation?: Interpolation } = {}): Transform {
  return makeTransform([{ op: "resize", size: checkSize("resize", size), interpolation: checkInterpolation("resize", opts.interpolation ?? "bilinear") }]);
}

/**
 * torchvision's `CenterCrop`: offsets `int(round((H − h) / 2))` (Python's ties-to-even), zero
 * padding where the crop is larger than the image.
 * @param size side of a square crop, or [height, width]
 * @returns a Transform on images
 * @example
 * ```ts
 * const crop = graft.data.transforms.centerCrop(224);
 * ```
 */
export function centerCrop(size: number | [number, number]): Transform {
  return makeTransform([{ op: "centerCrop", size: square(checkSize("centerCrop", size)) }]);
}

function checkRange(fn: string, name: string, r: unknown, lo: number): Range {
  if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === "number" && Number.isFinite(v)) || r[0] > r[1] || r[0] < lo) {
    throw new RangeError(`Cannot build ${fn}: ${name} must be [min, max] with ${lo} ≤ min ≤ max, got ${JSON.stringify(r)}`);
  }
  return [r[0], r[1]];
}

/**
 * torchvision's `RandomResizedCrop`: a crop of random area (fraction `scale` of the image) and
 * aspect ratio (log-uniform in `ratio`), 10 tries then the central crop, resized to `size`.
 * @param size side of the square output, or [height, width]
 * @param opts `scale` (default [0.08, 1]), `ratio` (default [3/4, 4/3]), `interpolation` (default "bilinear")
 * @returns a random Transform on images
 * @example
 * ```ts
 * const aug = graft.data.transforms.randomResizedCrop(224, { scale: [0.5, 1] });
 * console.log(aug.randomParts()); // ["randomResizedCrop(224)"]
 * ```
 */
export function randomResizedCrop(size: number | [number, number], opts: { scale?: Range; ratio?: Range; interpolation?: Interpolation } = {}): Transform {
  return makeTransform([
    {
      op: "randomResizedCrop",
      size: square(checkSize("randomResizedCrop", size)),
      scale: checkRange("randomResizedCrop", "scale", opts.scale ?? [0.08, 1], 0),
      ratio: checkRange("randomResizedCrop", "ratio", opts.ratio ?? [3 / 4, 4 / 3], Number.MIN_VALUE),
      interpolation: checkInterpolation("randomResizedCrop", opts.interpolation ?? "bilinear"),
    },
  ]);
}

/**
 * torchvision's `RandomHorizontalFlip`: mirrors left–right with probability `p`.
 * @param p probability of a flip (default 0.5)
 * @returns a random Transform (images or tensors)
 * @example
 * ```ts
 * const flip = graft.data.transforms.randomHorizontalFlip();
 * ```
 */
export function randomHorizontalFlip(p = 0.5): Transform {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`Cannot build randomHorizontalFlip: p must be in [0, 1], got ${p}`);
  return makeTransform([{ op: "randomHorizontalFlip", p }]);
}
