/**
 * Private: the pixel operations behind the transforms, on plain typed arrays (no tfjs, so they
 * run on worker threads): crops with PIL's zero fill outside the image, flips, PIL's
 * ImageEnhance blends and HSV conversions for colorJitter, ToTensor's /255, Normalize.
 */
import type { DecodedImage } from "./decoded_image";

/** HWC float32 pixels (after toTensor). */
export interface FloatImage { data: Float32Array; height: number; width: number; channels: 3 }
export type Pixels = DecodedImage | FloatImage;

export const isFloat = (p: Pixels): p is FloatImage => p.data instanceof Float32Array;

/** PIL's `img.crop((left, top, left + w, top + h))`: zeros where the box leaves the image. */
export function crop(img: DecodedImage, top: number, left: number, h: number, w: number): DecodedImage {
  const out = new Uint8Array(h * w * 3);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(w, img.width - left);
  for (let y = 0; y < h; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= img.height || x1 <= x0) continue;
    const s = (sy * img.width + left + x0) * 3;
    out.set(img.data.subarray(s, s + (x1 - x0) * 3), (y * w + x0) * 3);
  }
  return { data: out, height: h, width: w, channels: 3 };
}

/** Mirror left to right (uint8 or float). */
export function flipHorizontal<P extends Pixels>(p: P): P {
  const { height: h, width: w } = p;
  const out = new (p.data.constructor as Uint8ArrayConstructor | Float32ArrayConstructor)(p.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + (w - 1 - x)) * 3;
      const d = (y * w + x) * 3;
      out[d] = p.data[s];
      out[d + 1] = p.data[s + 1];
      out[d + 2] = p.data[s + 2];
    }
  }
  return { ...p, data: out };
}

/** PIL's L conversion (ITU-R 601-2 luma in 16-bit fixed point). */
const luma = (r: number, g: number, b: number): number => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

/** PIL's Image.blend(a, b, alpha) in float32, truncated and clipped; `a` a constant or per-pixel gray. */
function blend(img: DecodedImage, degenerate: (i: number) => number, alpha: number): DecodedImage {
  const f = Math.fround(alpha);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const a = degenerate(i);
    const t = Math.fround(a + Math.fround(f * (img.data[i] - a)));
    out[i] = t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
  }
  return { ...img, data: out };
}

/** ImageEnhance.Brightness: blend with black. */
export const adjustBrightness = (img: DecodedImage, f: number): DecodedImage => blend(img, () => 0, f);

/** ImageEnhance.Contrast: blend with the image's rounded mean gray level. */
export function adjustContrast(img: DecodedImage, f: number): DecodedImage {
  let sum = 0;
  const d = img.data;
  for (let i = 0; i < d.length; i += 3) sum += luma(d[i], d[i + 1], d[i + 2]);
  const mean = Math.trunc(sum / (d.length / 3) + 0.5);
  return blend(img, () => mean, f);
}

/** ImageEnhance.Color: blend with the image's own grayscale. */
export function adjustSaturation(img: DecodedImage, f: number): DecodedImage {
  const d = img.data;
  const gray = new Uint8Array(d.length / 3);
  for (let i = 0; i < gray.length; i++) gray[i] = luma(d[i * 3], d[i * 3 + 1], d[i * 3 + 2]);
  return blend(img, (i) => gray[(i / 3) | 0], f);
}

const clip8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** torchvision's PIL adjust_hue: HSV (PIL's conversion), H += uint8(hue · 255) mod 256, back to RGB. */
export function adjustHue(img: DecodedImage, hue: number): DecodedImage {
  const shift = ((Math.trunc(hue * 255) % 256) + 256) % 256;
  const d = img.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    let h = 0;
    let s = 0;
    if (maxc !== minc) {
      const cr = maxc - minc;
      const sf = Math.fround(cr / maxc);
      const rc = Math.fround((maxc - r) / cr), gc = Math.fround((maxc - g) / cr), bc = Math.fround((maxc - b) / cr);
      let hf = r === maxc ? Math.fround(bc - gc) : g === maxc ? Math.fround(2 + rc - bc) : Math.fround(4 + gc - rc);
      hf = Math.fround((hf / 6 + 1) % 1);
      h = clip8(Math.trunc(hf * 255));
      s = clip8(Math.trunc(sf * 255));
    }
    h = (h + shift) & 255;
    const v = maxc;
    if (s === 0) {
      out[i] = out[i + 1] = out[i + 2] = v;
      continue;
    }
    const k = Math.floor((h * 6) / 255);
    const f = Math.fround((h * 6) / 255 - k);
    const fs = Math.fround(s / 255);
    const p = clip8(Math.round(v * (1 - fs)));
    const q = clip8(Math.round(v * (1 - fs * f)));
    const t = clip8(Math.round(v * (1 - fs * (1 - f))));
    const rgb = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][k % 6];
    out[i] = rgb[0];
    out[i + 1] = rgb[1];
    out[i + 2] = rgb[2];
  }
  return { ...img, data: out };
}

/** ToTensor: bytes / 255 in float32. */
export function toFloat(img: DecodedImage): FloatImage {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] / 255;
  return { data: out, height: img.height, width: img.width, channels: 3 };
}

/** Normalize: (x − mean[c]) / std[c], each step rounded to float32 as torch does. */
export function normalizeFloat(p: FloatImage, mean: number[], std: number[]): FloatImage {
  const m = mean.map(Math.fround);
  const s = std.map(Math.fround);
  const out = new Float32Array(p.data.length);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = Math.fround(p.data[i] - m[0]) / s[0];
    out[i + 1] = Math.fround(p.data[i + 1] - m[1]) / s[1];
    out[i + 2] = Math.fround(p.data[i + 2] - m[2]) / s[2];
  }
  return { ...p, data: out };
}

/** toFloat then normalizeFloat in one pass through a 3 × 256 table (the same float32 values). */
export function toFloatNormalized(img: DecodedImage, mean: number[], std: number[]): FloatImage {
  const lut = new Float32Array(768);
  for (let c = 0; c < 3; c++) {
    const m = Math.fround(mean[c]);
    const s = Math.fround(std[c]);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = Math.fround(Math.fround(v / 255) - m) / s;
  }
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = lut[src[i]];
    out[i + 1] = lut[256 + src[i + 1]];
    out[i + 2] = lut[512 + src[i + 2]];
  }
  return { data: out, height: img.height, width: img.width, channels: 3 };
}
