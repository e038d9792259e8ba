/**
 * Private: PIL's `Image.resize` for RGB images (Pillow 9.4, libImaging/Resample.c and
 * Geometry.c), bit for bit. Bilinear and bicubic: separable passes, horizontal first (on the
 * source rows the vertical pass needs), each with per-pixel filter weights computed in double,
 * normalised to sum 1, turned into 22-bit fixed point (`(int)(w · 2²² ± 0.5)`), accumulated
 * from 2²¹ and clipped to 8 bits after each pass — the support widens with the scale, which is
 * PIL's antialiasing. Nearest: PIL's affine scaling, positions accumulated in double.
 *
 * `window` computes only a rectangle of the output (resize followed by a crop, fused): every
 * output pixel depends only on its own weights, so the rectangle equals the same crop of the
 * full resize.
 */
import type { DecodedImage } from "./decoded_image";

export type Interpolation = "nearest" | "bilinear" | "bicubic";

/** An output rectangle: rows [top, top + height), columns [left, left + width). */
export interface Window { top: number; left: number; height: number; width: number }

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);

const FILTERS: Record<"bilinear" | "bicubic", { support: number; f: (x: number) => number }> = {
  bilinear: {
    support: 1,
    f: (x) => {
      if (x < 0) x = -x;
      return x < 1 ? 1 - x : 0;
    },
  },
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

/** precompute_coeffs + normalize_coeffs_8bpc for output positions [from, from + count). */
function coefficients(inSize: number, outSize: number, from: number, count: number, filter: (typeof FILTERS)["bilinear"]) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const kk = new Int32Array(count * ksize);
  const bounds = new Int32Array(count * 2);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let o = 0; o < count; o++) {
    const xx = from + o;
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = filter.f((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      kk[o * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[o * 2] = xmin;
    bounds[o * 2 + 1] = xmax;
  }
  return { kk, bounds, ksize };
}

const clip8 = (ss: number): number => {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
};

/**
 * One horizontal pass over source rows [y0, y1) into a (y1 − y0) × count temp image. Integer
 * arithmetic throughout (Math.imul, |0): the sums stay below 2³¹ as in PIL's C.
 */
function horizontal(src: Uint8Array, srcW: number, y0: number, y1: number, c: ReturnType<typeof coefficients>, count: number): Uint8Array {
  const { kk, bounds, ksize } = c;
  const out = new Uint8Array((y1 - y0) * count * 3);
  let d = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * srcW * 3;
    for (let o = 0; o < count; o++) {
      const n = bounds[o * 2 + 1];
      let k0 = o * ksize;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let p = row + bounds[o * 2] * 3;
      for (let x = 0; x < n; x++, p += 3, k0++) {
        const k = kk[k0];
        s0 = (s0 + Math.imul(src[p], k)) | 0;
        s1 = (s1 + Math.imul(src[p + 1], k)) | 0;
        s2 = (s2 + Math.imul(src[p + 2], k)) | 0;
      }
      out[d] = clip8(s0);
      out[d + 1] = clip8(s1);
      out[d + 2] = clip8(s2);
      d += 3;
    }
  }
  return out;
}

/**
 * One vertical pass: rows of `src` (width `w`, first row = source row `rowBase`), columns
 * [x0, x0 + outW). Each output row accumulates whole source rows in an Int32Array (sequential
 * memory), the same sums as PIL's per-pixel loop.
 */
function vertical(src: Uint8Array, w: number, rowBase: number, c: ReturnType<typeof coefficients>, count: number, x0: number, outW: number): Uint8Array {
  const { kk, bounds, ksize } = c;
  const len = outW * 3;
  const out = new Uint8Array(count * len);
  const acc = new Int32Array(len);
  const stride = w * 3;
  for (let o = 0; o < count; o++) {
    acc.fill(HALF);
    const ymin = bounds[o * 2] - rowBase;
    const n = bounds[o * 2 + 1];
    for (let y = 0; y < n; y++) {
      const k = kk[o * ksize + y];
      const p = (ymin + y) * stride + x0 * 3;
      for (let i = 0; i < len; i++) acc[i] = (acc[i] + Math.imul(src[p + i], k)) | 0;
    }
    const d = o * len;
    for (let i = 0; i < len; i++) out[d + i] = clip8(acc[i]);
  }
  return out;
}

/** PIL's ImagingScaleAffine (nearest): positions start at half a step and accumulate. */
function nearest(img: DecodedImage, outH: number, outW: number, win: Window): Uint8Array {
  const ax = img.width / outW;
  const ay = img.height / outH;
  const xin = new Int32Array(outW);
  let xo = ax * 0.5;
  for (let x = 0; x < outW; x++, xo += ax) xin[x] = xo < 0 ? -1 : Math.trunc(xo);
  const out = new Uint8Array(win.height * win.width * 3);
  let yo = ay * 0.5;
  for (let y = 0; y < win.top; y++) yo += ay;
  for (let y = 0, d = 0; y < win.height; y++, yo += ay) {
    const yi = yo < 0 ? -1 : Math.trunc(yo);
    for (let x = win.left; x < win.left + win.width; x++, d += 3) {
      if (yi < 0 || yi >= img.height || xin[x] < 0 || xin[x] >= img.width) continue;
      const s = (yi * img.width + xin[x]) * 3;
      out[d] = img.data[s];
      out[d + 1] = img.data[s + 1];
      out[d + 2] = img.data[s + 2];
    }
  }
  return out;
}

/**
 * `img.resize((outW, outH), interpolation)` as PIL computes it, or the `window` of it.
 * @returns the resized image (the window's size when one is given)
 */
export function resample(img: DecodedImage, outH: number, outW: number, interpolation: Interpolation, window?: Window): DecodedImage {
  const win = window ?? { top: 0, left: 0, height: outH, width: outW };
  const result = (data: Uint8Array): DecodedImage => ({ data, height: win.height, width: win.width, channels: 3 });
  if (outH === img.height && outW === img.width) {
    // PIL copies when the size is unchanged.
    const out = new Uint8Array(win.height * win.width * 3);
    for (let y = 0; y < win.height; y++) {
      const s = ((win.top + y) * img.width + win.left) * 3;
      out.set(img.data.subarray(s, s + win.width * 3), y * win.width * 3);
    }
    return result(out);
  }
  if (interpolation === "nearest") return result(nearest(img, outH, outW, win));
  const filter = FILTERS[interpolation];
  const needH = outW !== img.width;
  const needV = outH !== img.height;
  const cv = coefficients(img.height, outH, win.top, win.height, filter);
  if (!needV) {
    const ch = coefficients(img.width, outW, win.left, win.width, filter);
    return result(horizontal(img.data, img.width, win.top, win.top + win.height, ch, win.width));
  }
  if (!needH) return result(vertical(img.data, img.width, 0, cv, win.height, win.left, win.width));
  const first = cv.bounds[0];
  const last = cv.bounds[(win.height - 1) * 2] + cv.bounds[(win.height - 1) * 2 + 1];
  const ch = coefficients(img.width, outW, win.left, win.width, filter);
  const temp = horizontal(img.data, img.width, first, last, ch, win.width);
  return result(vertical(temp, win.width, first, cv, win.height, 0, win.width));
}
