/**
 * MaxPoolGrad for the wasm backend as one JavaScript loop over the wasm heap.
 *
 * tfjs-backend-wasm 4.22's own kernel took as much of a step of bench/train-cnn as all its
 * convolutions, and breaks ties between equal maxima unlike the cpu backend. Composing
 * it from wasm kernels needs strided slices and 5-D transposes, which are slower still in
 * this build. A tight loop over the heap views is an order of magnitude faster and has the cpu backend's
 * semantics exactly: each window's gradient goes to its first maximum in row-major order
 * (strictly greater than −∞; padding is never chosen). For 2×2 windows of stride 2 it finds
 * that tap by comparison with the forward output, without branches.
 */
import * as tf from "@tensorflow/tfjs";
import { Info } from "./_wasm_ops";

type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array;
};

function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap }): Info {
  const backend = args.backend as HeapBackend;
  const { dy, input, output } = args.inputs as { dy: Info; input: Info; output?: Info };
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
  if (output && fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && 2 * OH <= H && 2 * OW <= W) {
    if (2 * OH !== H || 2 * OW !== W) dx.fill(0);
    if (tiled2x2(x, backend.typedArrayFromHeap(output), g, dx, B, OH, OW, C, rowStride, batchStride)) return out;
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
 * The common `maxPooling2d({ poolSize: 2 })`, given the forward output `y`: each window's
 * gradient goes to its first tap equal to the window's maximum, found without branches (the
 * comparisons on random data are what cost the time), and every tap is written (its gradient
 * or 0), so `dx` needs no clearing where windows tile it.
 * @returns false when some window has no finite maximum among its taps (NaN or −∞), which the
 * general loop then decides.
 */
function tiled2x2(x: Float32Array, y: Float32Array, g: Float32Array, dx: Float32Array, B: number, OH: number, OW: number, C: number, rowStride: number, batchStride: number): boolean {
  let gi = 0, missed = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const row = b * batchStride + 2 * oh * rowStride;
      for (let ow = 0; ow < OW; ow++) {
        const p0 = row + 2 * ow * C;
        for (let d = 0; d < C; d++, gi++) {
          const a = p0 + d, bq = a + C, c = a + rowStride, e = c + C;
          const m = y[gi], v = g[gi];
          const ta = +(x[a] === m);
          const tb = +(x[bq] === m) & ~ta & 1;
          const tc = +(x[c] === m) & ~(ta | tb) & 1;
          const te = +(x[e] === m) & ~(ta | tb | tc) & 1;
          dx[a] = ta * v;
          dx[bq] = tb * v;
          dx[c] = tc * v;
          dx[e] = te * v;
          missed |= (1 - (ta | tb | tc | te)) | +(m === Number.NEGATIVE_INFINITY);
        }
      }
    }
  }
  return missed === 0;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: "wasm",
  kernelFunc: maxPoolGrad as unknown as tf.KernelFunc,
};
