/**
 * The filter gradient of a stride-1 convolution with the roles of `x` and `dy` swapped: `dy`
 * transposed to [Co, OH, OW, B] is the input and `x` transposed to [H, W, B, Ci] the filter.
 *
 * XNNPACK packs a convolution's filter on every call (a fresh tensor each step), at several ns an
 * element on one thread, so for a layer whose `x` is much smaller than its `dy` (a first conv on
 * RGB images: Ci = 3, Co = 32) packing `x` instead of `dy` is cheaper: conv1 of bench/train-cnn
 * took 34 ms instead of 50 measured alone (its compute runs 8-wide tiles on 3 channels, though).
 *
 * out[co, u, v, ci] = Σ_{b, h, w} x[b, h, w, ci] · dy[b, h + u − padTop, w + v − padLeft, co]
 * with padTop = KH − 1 − top, which is dW[KH − 1 − u, KW − 1 − v, ci, co].
 */
import { Backend, Info, free, op, reshape, transpose } from "./_wasm_ops";
import type { FilterGradGeometry } from "./_filter_grad_geometry";

/** Zero padding of the transposed dy, or undefined where the forward pass's padding rules this path out. */
export function swappedPadding(g: FilterGradGeometry): number[][] | undefined {
  if (g.strideHeight !== 1 || g.strideWidth !== 1 || g.dilationHeight !== 1 || g.dilationWidth !== 1) return undefined;
  const top = g.filterHeight - 1 - g.top, left = g.filterWidth - 1 - g.left;
  const bottom = g.filterHeight + g.inHeight - 1 - top - g.outHeight;
  const right = g.filterWidth + g.inWidth - 1 - left - g.outWidth;
  if (Math.min(top, left, bottom, right) < 0) return undefined;
  return [[0, 0], [top, bottom], [left, right], [0, 0]];
}

/**
 * Estimated cost in ns of the two formulations (fitted on the layers of bench/train-cnn, 2
 * threads): packing ~7 ns an element of the filter, compute ~0.35 ns per row × 8-wide column
 * tile × reduction step of XNNPACK's GEMM. Where they are close (conv2 of bench/train-cnn) both
 * measured alike.
 */
export function preferSwapped(g: FilterGradGeometry, pad: number[][]): boolean {
  const taps = g.filterHeight * g.filterWidth;
  const p = g.batch * g.outHeight * g.outWidth;
  const padded = g.batch * (g.outHeight + pad[1][0] + pad[1][1]) * (g.outWidth + pad[2][0] + pad[2][1]);
  const direct = 7 * p * g.outChannels + 0.35 * g.inChannels * taps * Math.ceil(g.outChannels / 8) * p;
  const swapped = 7 * g.batch * g.inHeight * g.inWidth * g.inChannels + 0.35 * g.outChannels * taps * Math.ceil(g.inChannels / 8) * padded;
  return swapped < direct;
}

/** dW in HWIO from x [B, H, W, Ci] and dy [B, OH, OW, Co]; both belong to the caller. */
export function swappedFilterGrad(backend: Backend, x: Info, dy: Info, g: FilterGradGeometry, pad: number[][]): Info {
  const filter = transpose(backend, x, [1, 2, 0, 3]);
  const input = channelsToBatch(backend, dy);
  const out = op(backend, "Conv2D", { x: input, filter }, { strides: [1, 1], dilations: [1, 1], pad, dataFormat: "NHWC" });
  free(backend, filter, input);
  const flipped = op(backend, "Reverse", { x: out }, { dims: [1, 2] });
  free(backend, out);
  const dW = transpose(backend, flipped, [1, 2, 3, 0]);
  free(backend, flipped);
  return dW;
}

/**
 * [B, OH, OW, C] → [C, OH, OW, B] as two transposes of lower rank: the wasm Transpose of this
 * 4-D permutation is a generic loop, several times slower than its 2-D and 3-D cases.
 */
function channelsToBatch(backend: Backend, t: Info): Info {
  const [B, OH, OW, C] = t.shape;
  const rows = reshape(backend, t, [B, OH * OW, C]);
  const spaceFirst = transpose(backend, rows, [1, 0, 2]);
  free(backend, rows);
  const pixels = reshape(backend, spaceFirst, [OH * OW * B, C]);
  free(backend, spaceFirst);
  const cFirst = transpose(backend, pixels, [1, 0]);
  free(backend, pixels);
  const out = reshape(backend, cFirst, [C, OH, OW, B]);
  free(backend, cFirst);
  return out;
}
