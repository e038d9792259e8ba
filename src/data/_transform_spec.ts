/**
 * Private: transforms as plain data, and the one function that runs them. A worker thread
 * receives the specs of a pipeline (structured-clone-able objects), rebuilds nothing but this
 * interpreter, and gets the same pixels the main thread would. Semantics are torchvision 0.14's
 * on PIL images; `resize` followed by a `centerCrop` that fits is fused into one windowed
 * resample (equal to resize-then-crop, measured faster).
 */
import type { DecodedImage } from "./decoded_image";
import { resample, type Interpolation } from "./_resample";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, crop, flipHorizontal, isFloat, normalizeFloat, toFloat, toFloatNormalized, type Pixels } from "./_image_ops";
import { randint, uniform, type Random } from "./random";

export type Range = [number, number];
export type TransformSpec =
  | { op: "resize"; size: number | [number, number]; interpolation: Interpolation }
  | { op: "centerCrop"; size: [number, number] }
  | { op: "randomResizedCrop"; size: [number, number]; scale: Range; ratio: Range; interpolation: Interpolation }
  | { op: "randomHorizontalFlip"; p: number }
  | { op: "colorJitter"; brightness?: Range; contrast?: Range; saturation?: Range; hue?: Range }
  | { op: "toTensor" }
  | { op: "normalize"; mean: number[]; std: number[] };

export const RANDOM_OPS = new Set(["randomResizedCrop", "randomHorizontalFlip", "colorJitter"]);

const fmt = (v: unknown): string => JSON.stringify(v).replace(/,/g, ", ");
const sizeText = (s: number | [number, number]): string => (typeof s === "number" ? String(s) : s[0] === s[1] ? String(s[0]) : fmt(s));

/** The call that builds this spec, e.g. `resize(256)` or `randomResizedCrop(224)`. */
export function specToString(s: TransformSpec): string {
  switch (s.op) {
    case "resize":
      return `resize(${sizeText(s.size)}${s.interpolation === "bilinear" ? "" : `, { interpolation: "${s.interpolation}" }`})`;
    case "centerCrop":
    case "randomResizedCrop":
      return `${s.op}(${sizeText(s.size)})`;
    case "randomHorizontalFlip":
      return `randomHorizontalFlip(${s.p})`;
    case "colorJitter": {
      const parts = (["brightness", "contrast", "saturation", "hue"] as const).filter((k) => s[k]).map((k) => `${k}: ${fmt(s[k])}`);
      return `colorJitter({ ${parts.join(", ")} })`;
    }
    case "toTensor":
      return "toTensor()";
    case "normalize":
      return `normalize(${fmt(s.mean)}, ${fmt(s.std)})`;
  }
}

function needImage(p: Pixels, op: string): DecodedImage {
  if (isFloat(p)) throw new TypeError(`Cannot apply ${op} to a float tensor: it works on images; put it before toTensor()`);
  return p;
}

/** torchvision's _compute_resized_output_size for an int size (shorter side) or [h, w]. */
export function resizedSize(h: number, w: number, size: number | [number, number]): [number, number] {
  if (typeof size !== "number") return size;
  const [short, long] = w <= h ? [w, h] : [h, w];
  if (short === size) return [h, w];
  const newLong = Math.trunc((size * long) / short);
  return w <= h ? [newLong, size] : [size, newLong];
}

/** Python's round() of a half-integer-or-integer value: ties to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** CenterCrop's top/left: int(round((H − h) / 2)), or −((h − H) // 2) where it pads. */
export function centerOffsets(h: number, w: number, [ch, cw]: [number, number]): [number, number] {
  const off = (n: number, c: number): number => (c > n ? -Math.floor((c - n) / 2) : roundHalfEven((n - c) / 2));
  return [off(h, ch), off(w, cw)];
}

/** RandomResizedCrop.get_params: 10 tries at an area and log-uniform aspect ratio, else the central crop. */
function resizedCropBox(h: number, w: number, scale: Range, ratio: Range, rng: Random): [number, number, number, number] {
  const area = h * w;
  const logRatio: Range = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * uniform(rng, scale[0], scale[1]);
    const aspect = Math.exp(uniform(rng, logRatio[0], logRatio[1]));
    const cw = roundHalfEven(Math.sqrt(target * aspect));
    const chh = roundHalfEven(Math.sqrt(target / aspect));
    if (cw > 0 && cw <= w && chh > 0 && chh <= h) return [randint(rng, 0, h - chh + 1), randint(rng, 0, w - cw + 1), chh, cw];
  }
  const inRatio = w / h;
  let cw = w;
  let chh = h;
  if (inRatio < Math.min(...ratio)) chh = roundHalfEven(cw / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) cw = roundHalfEven(chh * Math.max(...ratio));
  return [Math.floor((h - chh) / 2), Math.floor((w - cw) / 2), chh, cw];
}

function colorJitter(img: DecodedImage, s: Extract<TransformSpec, { op: "colorJitter" }>, rng: Random): DecodedImage {
  const order = [0, 1, 2, 3];
  for (let i = 3; i > 0; i--) {
    const j = randint(rng, 0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const draw = (r?: Range): number | undefined => (r ? uniform(rng, r[0], r[1]) : undefined);
  const [b, c, sat, hue] = [draw(s.brightness), draw(s.contrast), draw(s.saturation), draw(s.hue)];
  for (const k of order) {
    if (k === 0 && b !== undefined) img = adjustBrightness(img, b);
    if (k === 1 && c !== undefined) img = adjustContrast(img, c);
    if (k === 2 && sat !== undefined) img = adjustSaturation(img, sat);
    if (k === 3 && hue !== undefined) img = adjustHue(img, hue);
  }
  return img;
}

/** Runs one spec. */
export function applySpec(s: TransformSpec, p: Pixels, rng: Random): Pixels {
  switch (s.op) {
    case "resize": {
      const img = needImage(p, "resize");
      const [h, w] = resizedSize(img.height, img.width, s.size);
      return resample(img, h, w, s.interpolation);
    }
    case "centerCrop": {
      const img = needImage(p, "centerCrop");
      const [top, left] = centerOffsets(img.height, img.width, s.size);
      if (top === 0 && left === 0 && s.size[0] === img.height && s.size[1] === img.width) return img;
      return crop(img, top, left, s.size[0], s.size[1]);
    }
    case "randomResizedCrop": {
      const img = needImage(p, "randomResizedCrop");
      const [top, left, h, w] = resizedCropBox(img.height, img.width, s.scale, s.ratio, rng);
      return resample(crop(img, top, left, h, w), s.size[0], s.size[1], s.interpolation);
    }
    case "randomHorizontalFlip":
      return rng() < s.p ? flipHorizontal(p) : p;
    case "colorJitter":
      return colorJitter(needImage(p, "colorJitter"), s, rng);
    case "toTensor":
      return toFloat(needImage(p, "toTensor"));
    case "normalize":
      if (!isFloat(p)) throw new TypeError("Cannot normalize an image of bytes: put toTensor() before normalize()");
      return normalizeFloat(p, s.mean, s.std);
  }
}

/**
 * Runs a pipeline of specs, fusing resize → centerCrop where the crop lies inside the resized
 * image, and toTensor → normalize into one table lookup per value.
 */
export function applySpecs(specs: readonly TransformSpec[], p: Pixels, rng: Random): Pixels {
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const next = specs[i + 1];
    if (s.op === "resize" && next?.op === "centerCrop" && !isFloat(p)) {
      const [h, w] = resizedSize(p.height, p.width, s.size);
      const [top, left] = centerOffsets(h, w, next.size);
      if (top >= 0 && left >= 0 && next.size[0] <= h && next.size[1] <= w) {
        p = resample(p, h, w, s.interpolation, { top, left, height: next.size[0], width: next.size[1] });
        i++;
        continue;
      }
    }
    if (s.op === "toTensor" && next?.op === "normalize" && !isFloat(p)) {
      p = toFloatNormalized(p, next.mean, next.std);
      i++;
      continue;
    }
    p = applySpec(s, p, rng);
  }
  return p;
}
