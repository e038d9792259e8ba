/**
 * MaxPoolGrad for the wasm backend as one JavaScript loop over the wasm heap.
 *
 * tfjs-backend-wasm 4.22's own kernel took as much of a step of bench/train-cnn as all its
 * convolutions, and breaks ties between equal maxima unlike the cpu backend. Composing
 * it from wasm kernels needs strided slices and 5-D transposes, which are slower still in
 * this build. A tight loop over the heap views is an order of magnitude faster and has the cpu backend's
 * semantics exactly: each window's gradient goes to its first maximum in row-major order
 * (strictly greater than −∞; padding is never chosen).
 */
import * as tf from "@tensorflow/tfjs";
import { Info } from "./_wasm_ops";

type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
};

function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as HeapBackend;
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight, fw = info.effectiveFilterWidth;
  const top = info.padInfo.top, left = info.padInfo.left;
  const out = backend.makeOutput(input.shape, "float32");
  // Views after the allocation: growing the heap detaches older views.
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  const rowStride = W * C, batchStride = H * rowStride;
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * OH <= H && 2 * OW <= W) {
    if (2 * OH !== H || 2 * OW !== W) dx.fill(0);
    tiled2x2(x, g, dx, B, OH, OW, C, rowStride, batchStride);
    return out;
  }
  dx.fill(0);
  let gi = 0;
  for (let b = 0; b < B; b++) {
    const xb = b * batchStride;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = oh * sh - top, rMin = Math.max(0, r0), rMax = Math.min(H, r0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = ow * sw - left, cMin = Math.max(0, c0), cMax = Math.min(W, c0 + fw);
        for (let d = 0; d < C; d++, gi++) {
          let best = Number.NEGATIVE_INFINITY, at = -1;
          for (let r = rMin; r < rMax; r++) {
            let p = xb + r * rowStride + cMin * C + d;
            for (let c = cMin; c < cMax; c++, p += C) {
              const v = x[p];
              if (v > best) { best = v; at = p; }
            }
          }
          if (at >= 0) dx[at] += g[gi];
        }
      }
    }
  }
  return out;
}

/**
 * The common `maxPooling2d({ poolSize: 2 })`: fixed tap offsets, no window bounds, and every
 * tap of a window written (its gradient or 0), so `dx` needs no clearing where windows tile it.
 */
function tiled2x2(x: Float32Array, g: Float32Array, dx: Float32Array, B: number, OH: number, OW: number, C: number, rowStride: number, batchStride: number): void {
  let gi = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = b * batchStride + 2 * oh * rowStride;
      for (let ow = 0; ow < OW; ow++) {
        const p0 = row + 2 * ow * C;
        for (let d = 0; d < C; d++, gi++) {
          const a = p0 + d, bq = a + C, c = a + rowStride, e = c + C;
          const va = x[a], vb = x[bq], vc = x[c], ve = x[e];
          // First maximum in row-major order, as the general loop: later taps win only if greater.
          let at = -1, best = Number.NEGATIVE_INFINITY;
          if (va > best) { best = va; at = 0; }
          if (vb > best) { best = vb; at = 1; }
          if (vc > best) { best = vc; at = 2; }
          if (ve > best) at = 3;
          const v = g[gi];
          dx[a] = at === 0 ? v : 0;
          dx[bq] = at === 1 ? v : 0;
          dx[c] = at === 2 ? v : 0;
          dx[e] = at === 3 ? v : 0;
        }
      }
    }
  }
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
