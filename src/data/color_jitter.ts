/** colorJitter: torchvision's `ColorJitter` on PIL images (ImageEnhance blends, HSV hue shift), in random order. */
import type { Range } from "./_transform_spec";
import { makeTransform, type Transform } from "./transform";

/** Options of {@link colorJitter}: a number v means [max(0, 1 − v), 1 + v] (hue: [−v, v]), or [min, max]. */
export interface ColorJitterOptions {
  brightness?: number | Range;
  contrast?: number | Range;
  saturation?: number | Range;
  hue?: number | Range;
}

function factorRange(name: string, v: number | Range | undefined, center: number, bound: [number, number]): Range | undefined {
  if (v === undefined || v === 0) return undefined;
  const r: Range = typeof v === "number" ? (v < 0 ? [NaN, NaN] : [center - v, center + v]) : v;
  if (typeof v === "number" && center === 1) r[0] = Math.max(0, r[0]);
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] <= r[1]) || r[0] < bound[0] || r[1] > bound[1]) {
    throw new RangeError(`Cannot build colorJitter: ${name} must be a number ≥ 0 or [min, max] within [${bound}], got ${JSON.stringify(v)}`);
  }
  return r[0] === center && r[1] === center ? undefined : [r[0], r[1]];
}

/**
 * Random brightness, contrast, saturation and hue changes, applied in a random order, as
 * torchvision's `ColorJitter` does on PIL images.
 * @param opts factor ranges per property (absent or 0: unchanged)
 * @returns a random Transform on images
 * @example
 * ```ts
 * const jitter = graft.data.transforms.colorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 });
 * ```
 */
export function colorJitter(opts: ColorJitterOptions = {}): Transform {
  const inf = Number.POSITIVE_INFINITY;
  return makeTransform([
    {
      op: "colorJitter",
      brightness: factorRange("brightness", opts.brightness, 1, [0, inf]),
      contrast: factorRange("contrast", opts.contrast, 1, [0, inf]),
      saturation: factorRange("saturation", opts.saturation, 1, [0, inf]),
      hue: factorRange("hue", opts.hue, 0, [-0.5, 0.5]),
    },
  ]);
}
